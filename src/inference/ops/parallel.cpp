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

// A job is published with a generation counter, chunks are claimed with an atomic cursor,
// and the caller waits for `pending_`. Workers and the waiting caller spin for a short while
// (kSpin) before sleeping on a condition variable: an encoder forward makes ~15 parallel
// calls per layer a few hundred microseconds apart, and a futex wake-up of a sleeping core
// (tens of microseconds in a VM) on each of them is a measurable share of the forward.
class Pool {
 public:
  explicit Pool(int n) { resize(n); }
  ~Pool() { stop(); }

  int size() const { return n_threads_; }

  void resize(int n) {
    stop();
    n_threads_ = std::max(1, n);
    stopping_ = false;
    stopping_flag_.store(false);
    for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this] { worker(); });
  }

  bool try_run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    std::unique_lock run_lock(run_mu_, std::try_to_lock);
    if (!run_lock.owns_lock() || in_worker_) return false;
    int64_t chunks = std::min<int64_t>((n + grain - 1) / grain, int64_t(n_threads_) * 4);
    int64_t chunk = (n + chunks - 1) / chunks;
    {
      std::lock_guard lk(mu_);
      fn_ = &fn;
      n_ = n;
      chunk_ = chunk;
      cursor_.store(0);
      pending_.store(n_threads_ - 1);
      generation_.store(generation_.load() + 1, std::memory_order_release);
    }
    cv_.notify_all();
    drain();
    if (!spin_until([&] { return pending_.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock lk(mu_);
      done_cv_.wait(lk, [&] { return pending_.load() == 0; });
    }
    fn_ = nullptr;
    return true;
  }

 private:
  void drain() {
    for (;;) {
      int64_t b = cursor_.fetch_add(chunk_);
      if (b >= n_) return;
      (*fn_)(b, std::min(n_, b + chunk_));
    }
  }

  // Spins (pausing) until done() or kSpin has passed; whether done() became true.
  template <class F>
  static bool spin_until(F&& done) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0;; ++i) {
      if (done()) return true;
#if defined(__x86_64__)
      __builtin_ia32_pause();
#endif
      if ((i & 63) == 63 && std::chrono::steady_clock::now() - t0 > kSpin) return false;
    }
  }

  void worker() {
    in_worker_ = true;
    uint64_t seen = 0;
    for (;;) {
      spin_until([&] { return stopping_flag_.load(std::memory_order_relaxed) ||
                              generation_.load(std::memory_order_acquire) != seen; });
      {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] { return stopping_ || generation_.load() != seen; });
        if (stopping_) return;
        seen = generation_.load();
      }
      drain();
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard lk(mu_);  // the caller may be between its check and its wait
        done_cv_.notify_one();
      }
    }
  }

  void stop() {
    {
      std::lock_guard lk(mu_);
      stopping_ = true;
      stopping_flag_.store(true);
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
  static constexpr std::chrono::microseconds kSpin{100};
  bool stopping_ = false;
  std::atomic<bool> stopping_flag_{false};
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0};
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
