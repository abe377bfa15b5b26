#include "inference/runtime/model_cache.h"

#include <condition_variable>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/thread_pool.h"

namespace hub::inference::runtime {

namespace {
using Clock = std::chrono::steady_clock;
// Until one load has been timed, assume this many bytes per second (mmap + f16->f32 + setup).
constexpr double kDefaultLoadBytesPerSec = 300e6;
constexpr auto kFailureMemory = std::chrono::seconds(10);

// What a loaded model counts against the budget: its full memory estimate (weights, tables,
// KV caches, scratch), or the caller's weight-size guess for a model without one.
size_t held_bytes(const Model& model, size_t est_bytes) {
  const uint64_t total = model.memory().total();
  return total > 0 ? size_t(total) : est_bytes;
}
}  // namespace

struct ModelCache::Impl {
  struct Entry {
    std::shared_ptr<const Model> model;
    size_t bytes = 0;
    bool loading = false;
    Clock::time_point load_started;
    double estimated_time = 0;
    std::optional<Error> error;
    Clock::time_point failed_at;
    std::list<std::string>::iterator lru;  // valid when model is set
  };
  mutable std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<std::string, Entry> entries;
  std::list<std::string> lru;  // front = most recently used
  size_t used = 0;
  double bytes_per_sec = kDefaultLoadBytesPerSec;
  ThreadPool loaders{1};  // one load at a time: loads are I/O and memory heavy

  void touch(Entry& e, const std::string& key) {
    lru.erase(e.lru);
    lru.push_front(key);
    e.lru = lru.begin();
  }

  // Drops least recently used models until `incoming` more bytes fit the budget.
  void make_room(size_t incoming, size_t budget) {
    while (used + incoming > budget && !lru.empty()) {
      auto it = entries.find(lru.back());
      lru.pop_back();
      if (it == entries.end()) continue;
      used -= it->second.bytes;
      entries.erase(it);
    }
  }
};

ModelCache::ModelCache(size_t budget_bytes) : impl_(std::make_unique<Impl>()), budget_(budget_bytes) {}
ModelCache::~ModelCache() = default;

Result<ModelCache::Status> ModelCache::get(const std::string& key, size_t est_bytes, const Loader& loader,
                                           bool start) {
  auto& m = *impl_;
  std::unique_lock lk(m.mu);
  auto now = Clock::now();
  auto it = m.entries.find(key);
  if (it != m.entries.end()) {
    auto& e = it->second;
    if (e.model) {
      m.touch(e, key);
      return Status{e.model, false, 0};
    }
    if (e.loading) {
      double elapsed = std::chrono::duration<double>(now - e.load_started).count();
      return Status{nullptr, true, std::max(0.5, e.estimated_time - elapsed)};
    }
    if (e.error && now - e.failed_at < kFailureMemory) return std::unexpected(*e.error);
    m.entries.erase(it);
  }
  if (est_bytes > budget_)
    return fail(Errc::too_large, "The model needs about " + std::to_string(est_bytes >> 20) +
                                     " MiB, more than this server's model memory budget (" +
                                     std::to_string(budget_ >> 20) + " MiB)");
  double estimate = 1.0 + double(est_bytes) / m.bytes_per_sec;
  if (!start) return Status{nullptr, true, estimate};
  auto& e = m.entries[key];
  e.loading = true;
  e.load_started = now;
  e.estimated_time = estimate;
  lk.unlock();
  m.loaders.post([this, key, est_bytes, loader] {
    auto t0 = Clock::now();
    auto r = loader();
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    auto& m = *impl_;
    std::lock_guard lk(m.mu);
    auto it = m.entries.find(key);
    if (it == m.entries.end()) return;
    auto& e = it->second;
    e.loading = false;
    if (!r) {
      e.error = r.error();
      e.failed_at = Clock::now();
    } else if (size_t bytes = held_bytes(**r, est_bytes); bytes > budget_) {
      e.error = Error{Errc::too_large, "The model needs about " + std::to_string(bytes >> 20) +
                                           " MiB, more than this server's model memory budget (" +
                                           std::to_string(budget_ >> 20) + " MiB)"};
      e.failed_at = Clock::now();
    } else {
      if (secs > 0.05 && est_bytes > 0) m.bytes_per_sec = double(est_bytes) / secs;
      m.make_room(bytes, budget_);
      e.model = std::move(*r);
      e.bytes = bytes;
      m.used += bytes;
      m.lru.push_front(key);
      e.lru = m.lru.begin();
    }
    m.cv.notify_all();
  });
  return Status{nullptr, true, estimate};
}

Result<std::shared_ptr<const Model>> ModelCache::get_wait(const std::string& key, size_t est_bytes,
                                                          const Loader& loader, std::chrono::milliseconds timeout) {
  auto s = get(key, est_bytes, loader, true);
  if (!s) return std::unexpected(s.error());
  if (s->model) return s->model;
  auto& m = *impl_;
  std::unique_lock lk(m.mu);
  bool done = m.cv.wait_for(lk, timeout, [&] {
    auto it = m.entries.find(key);
    return it == m.entries.end() || !it->second.loading;
  });
  if (!done) return fail(Errc::unsupported, "Model is still loading", Detail::Loading);
  auto it = m.entries.find(key);
  if (it == m.entries.end()) return fail(Errc::internal, "the model was evicted while loading");
  if (it->second.error) return std::unexpected(*it->second.error);
  m.touch(it->second, key);
  return it->second.model;
}

size_t ModelCache::used_bytes() const {
  std::lock_guard lk(impl_->mu);
  return impl_->used;
}

size_t ModelCache::loaded_count() const {
  std::lock_guard lk(impl_->mu);
  size_t n = 0;
  for (auto& [k, e] : impl_->entries) n += e.model ? 1 : 0;
  return n;
}

}  // namespace hub::inference::runtime
