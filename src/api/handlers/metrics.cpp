// GET /api/{type}s/{id}/metrics/{rev}[?max_points=N]: the TensorBoard scalars of every
// events.out.tfevents.* file in the repo at rev (issue 10), parsed by tensorboard/.
// Memory is bounded by what is stored, never by what a pointer claims (issue 14, finding 3):
// an LFS event file is read only through services::lfs_read_object, i.e. only when linked to
// the repo and stored with the pointer's size (otherwise it is left out with a warning), and
// sized by the stored object. The event bytes of one request are capped (413 beyond), and all
// requests together may hold at most kMaxEventBytesInFlight of them (503 + Retry-After
// beyond). Parsed scalars are cached per (repo, commit), commits being immutable: a bounded
// LRU with one load at a time per key, so repeated or concurrent requests parse once.
#include <condition_variable>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "api/handlers/handlers.h"
#include "api/handlers/repo_access.h"
#include "services/lfs_access.h"
#include "tensorboard/metrics_json.h"
#include "tensorboard/scalars.h"

namespace hub::api::handlers {

namespace {
constexpr uint64_t kMaxEventBytes = 512ull << 20;          // over all event files of one request
constexpr uint64_t kMaxEventBytesInFlight = 512ull << 20;  // over all requests reading at once
constexpr size_t kCacheBytes = size_t(128) << 20;          // parsed scalars kept, approximate
constexpr size_t kCacheEntries = 256;

using Scalars = std::shared_ptr<const tensorboard::ScalarData>;

// What a ScalarData holds, roughly (for the cache's byte bound).
size_t cost_of(const tensorboard::ScalarData& d) {
  size_t n = sizeof d;
  for (const auto& run : d.runs) {
    n += sizeof run + run.name.size();
    for (const auto& t : run.tags)
      n += sizeof t + t.tag.size() + t.plugin_name.size() + t.points.size() * sizeof(tensorboard::ScalarPoint);
  }
  for (const auto& w : d.warnings) n += sizeof w + w.file.size() + w.reason.size();
  return n;
}

// Bytes of event files held in memory by all requests; a request that would pass the cap is
// refused (503) instead of waiting, so a burst cannot pile up memory or workers.
class InFlight {
 public:
  bool acquire(uint64_t n) {
    std::lock_guard lk(mu_);
    if (used_ + n > kMaxEventBytesInFlight) return false;
    used_ += n;
    return true;
  }
  void release(uint64_t n) {
    std::lock_guard lk(mu_);
    used_ -= n;
  }

 private:
  std::mutex mu_;
  uint64_t used_ = 0;
};

struct Loaded {
  Scalars data;
  bool cacheable = true;  // false when an LFS file was unavailable (it may be uploaded later)
};
using LoadResult = Result<Loaded>;

// (repo uid, commit) -> parsed scalars. At most one load per key runs at a time; the others
// wait for it and then take the cached result (or load in turn when it was not cacheable).
class MetricsCache {
 public:
  template <class Load>
  Result<Scalars> get(const std::string& key, Load&& load) {
    std::unique_lock lk(mu_);
    for (;;) {
      if (auto it = map_.find(key); it != map_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second.pos);
        return it->second.data;
      }
      if (!loading_.contains(key)) break;
      cv_.wait(lk);
    }
    loading_.insert(key);
    lk.unlock();
    LoadResult r = load();
    lk.lock();
    loading_.erase(key);
    cv_.notify_all();
    if (!r) return std::unexpected(r.error());
    size_t cost = cost_of(*r->data);
    if (r->cacheable && cost <= kCacheBytes / 4) {
      lru_.push_front(key);
      map_[key] = Entry{r->data, cost, lru_.begin()};
      bytes_ += cost;
      while (map_.size() > kCacheEntries || bytes_ > kCacheBytes) {
        auto last = map_.find(lru_.back());
        bytes_ -= last->second.cost;
        map_.erase(last);
        lru_.pop_back();
      }
    }
    return r->data;
  }

 private:
  struct Entry {
    Scalars data;
    size_t cost = 0;
    std::list<std::string>::iterator pos;
  };
  std::mutex mu_;
  std::condition_variable cv_;
  std::list<std::string> lru_;  // most recent first
  std::unordered_map<std::string, Entry> map_;
  std::set<std::string> loading_;
  size_t bytes_ = 0;
};

MetricsCache& cache() {
  static MetricsCache c;
  return c;
}
InFlight& in_flight() {
  static InFlight f;
  return f;
}

// Reads and parses every event file of the commit. Errors carry the status to answer.
LoadResult load_scalars(Context& ctx, OpenedRepo& o, const std::string& commit) {
  auto tree = o.repo.list_tree(commit, "", true);
  if (!tree) return std::unexpected(tree.error());
  struct File {
    std::string path;
    const storage::git::TreeEntry* entry;
    uint64_t size;
  };
  std::vector<File> files;
  std::vector<tensorboard::Warning> unavailable;
  uint64_t total = 0;
  for (auto& e : *tree) {
    if (e.type != storage::git::EntryType::file || !tensorboard::is_event_file(e.path)) continue;
    uint64_t size = e.size;
    if (e.lfs) {
      // The stored size, known to equal the pointer's; absent, not this repo's or another
      // size: left out, with one warning whichever it is.
      auto st = services::lfs_object_size(ctx.hub, o.handle.row.id, e.lfs->oid, e.lfs->size);
      if (!st) {
        if (st.error().code != Errc::not_found) return std::unexpected(st.error());
        unavailable.push_back({e.path, 0, 0, std::string(services::kLfsNotStored)});
        continue;
      }
      size = *st;
    }
    if (total + size > kMaxEventBytes)
      return fail(Errc::too_large, "The repo's event files are too large to chart at once (over 512 MiB)");
    total += size;
    files.push_back({e.path, &e, size});
  }
  if (!in_flight().acquire(total))
    return fail(Errc::conflict, "Other metrics are being computed; retry in a few seconds", Detail::MetricsBusy);
  struct Release {
    uint64_t n;
    ~Release() { in_flight().release(n); }
  } release{total};
  std::vector<std::string> contents;
  contents.reserve(files.size());
  for (const auto& f : files) {
    const auto& e = *f.entry;
    auto bytes = e.lfs ? services::lfs_read_object(ctx.hub, o.handle.row.id, e.lfs->oid, e.lfs->size, {}, f.size)
                       : o.repo.read_blob_oid(e.oid, size_t(f.size) + 1);
    if (!bytes) {
      if (e.lfs && bytes.error().code == Errc::not_found) {  // gone since the stat
        unavailable.push_back({f.path, 0, 0, std::string(services::kLfsNotStored)});
        contents.emplace_back();
        continue;
      }
      return std::unexpected(bytes.error());
    }
    contents.push_back(std::move(*bytes));
  }
  std::vector<tensorboard::EventFile> spans;
  for (size_t i = 0; i < files.size(); ++i)
    spans.push_back({files[i].path, std::as_bytes(std::span(contents[i].data(), contents[i].size()))});
  auto data = std::make_shared<tensorboard::ScalarData>(tensorboard::load_scalars(spans));
  data->warnings.insert(data->warnings.begin(), unavailable.begin(), unavailable.end());
  return Loaded{std::move(data), unavailable.empty()};
}
}  // namespace

Response repo_metrics(Context& ctx, Request& req, std::string_view type) {
  auto opened = open_repo_for(ctx, req, type, services::Access::content);  // derived from file bytes
  if (auto* r = std::get_if<Response>(&opened)) return std::move(*r);
  auto& o = std::get<OpenedRepo>(opened);
  std::string rev;
  for (size_t i = 0; i < req.rest.size(); ++i) rev += (i ? "/" : "") + req.rest[i];
  if (rev.empty()) rev = "HEAD";
  auto commit = o.resolve(rev);
  if (!commit) return o.error(commit.error());
  tensorboard::MetricsJsonOptions opts;
  if (auto mp = req.query_param("max_points")) {
    try {
      long long v = std::stoll(std::string(*mp));
      if (v < 0) throw std::invalid_argument("negative");
      opts.max_points = size_t(v);
    } catch (...) {
      return Response::error(400, "max_points must be a non-negative integer");
    }
  }
  auto data = cache().get(o.handle.row.uid + " " + *commit, [&] { return load_scalars(ctx, o, *commit); });
  if (!data) {
    if (data.error().code == Errc::too_large) return Response::error(413, data.error().message);
    if (data.error().detail == Detail::MetricsBusy) {
      auto r = Response::error(503, data.error().message);
      r.set_header("Retry-After", "5");
      return r;
    }
    return o.error(data.error());
  }
  Response res = Response::text(200, tensorboard::metrics_json(**data, opts), "application/json; charset=utf-8");
  res.set_header("X-Repo-Commit", *commit);
  return res;
}

}  // namespace hub::api::handlers
