#include "inference/ops/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace hub::inference::ops {

namespace {

// A job is published by bumping `generation_`; chunks are claimed with an atomic cursor and
// the caller waits for `pending_` workers to finish. Between jobs a worker spins briefly
// (kSpin) before sleeping on the condition variable: a forward pass issues hundreds of small
// jobs, and a futex wake-up per job cost ~15% of a small model's latency. The caller only
// takes the mutex to notify when a worker is actually asleep (Dekker-style: both sides use
// seq_cst atomics, so a sleeping worker is either seen or sees the new generation).
class Pool {
 public:
  explicit Pool(int n) { resize(n); }
  ~Pool() { stop(); }

  int size() const { return n_threads_; }

  void resize(int n) {
    stop();
    n_threads_ = std::max(1, n);
    stopping_ = false;
    for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this] { worker(); });
  }

  bool try_run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    std::unique_lock run_lock(run_mu_, std::try_to_lock);
    if (!run_lock.owns_lock() || in_worker_) return false;
    int64_t chunks = std::min<int64_t>((n + grain - 1) / grain, int64_t(n_threads_) * 4);
    fn_ = &fn;
    n_ = n;
    chunk_ = (n + chunks - 1) / chunks;
    cursor_.store(0);
    pending_.store(n_threads_ - 1);
    generation_.fetch_add(1);
    if (sleepers_.load() > 0) {
      std::lock_guard lk(mu_);
      cv_.notify_all();
    }
    drain();
    if (!spin_until([&] { return pending_.load() == 0; })) {
      std::unique_lock lk(mu_);
      done_cv_.wait(lk, [&] { return pending_.load() == 0; });
    }
    fn_ = nullptr;
    return true;
  }

 private:
  static constexpr auto kSpin = std::chrono::microseconds(50);

  template <class Pred>
  static bool spin_until(Pred&& done) {
    auto deadline = std::chrono::steady_clock::now() + kSpin;
    for (int i = 0;; ++i) {
      if (done()) return true;
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
      if ((i & 63) == 63 && std::chrono::steady_clock::now() > deadline) return done();
    }
  }

  void drain() {
    for (;;) {
      int64_t b = cursor_.fetch_add(chunk_);
      if (b >= n_) return;
      (*fn_)(b, std::min(n_, b + chunk_));
    }
  }

  void worker() {
    in_worker_ = true;
    uint64_t seen = 0;
    for (;;) {
      auto fresh = [&] { return stopping_.load() || generation_.load() != seen; };
      if (!spin_until(fresh)) {
        std::unique_lock lk(mu_);
        sleepers_.fetch_add(1);
        cv_.wait(lk, fresh);
        sleepers_.fetch_sub(1);
      }
      if (stopping_.load()) return;
      seen = generation_.load();
      drain();
      if (pending_.fetch_sub(1) == 1) {
        std::lock_guard lk(mu_);
        done_cv_.notify_one();
      }
    }
  }

  void stop() {
    {
      std::lock_guard lk(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  static thread_local bool in_worker_;
  std::mutex run_mu_;
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  int n_threads_ = 1;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
  std::atomic<int> sleepers_{0};
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0, chunk_ = 1;
  std::atomic<int64_t> cursor_{0};
};

thread_local bool Pool::in_worker_ = false;

int default_threads() {
  if (const char* e = std::getenv("HUBD_NUM_THREADS")) {
    int v = std::atoi(e);
    if (v >= 1) return v;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

Pool& pool() {
  static Pool p(default_threads());
  return p;
}

}  // namespace

int num_threads() { return pool().size(); }
void set_num_threads(int n) { pool().resize(n); }

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  Pool& p = pool();
  if (p.size() == 1 || n <= grain || !p.try_run(n, grain, fn)) fn(0, n);
}

}  // namespace hub::inference::ops
