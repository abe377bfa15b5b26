#include "inference/ops/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace hub::inference::ops {

namespace {

// Workers sleep on a condition variable between jobs; a job is published with a generation
// counter, chunks are claimed with an atomic cursor, and the caller waits for `pending_`.
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
    int64_t chunk = (n + chunks - 1) / chunks;
    {
      std::lock_guard lk(mu_);
      fn_ = &fn;
      n_ = n;
      chunk_ = chunk;
      cursor_.store(0);
      pending_ = n_threads_ - 1;
      ++generation_;
    }
    cv_.notify_all();
    drain();
    std::unique_lock lk(mu_);
    done_cv_.wait(lk, [&] { return pending_ == 0; });
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

  void worker() {
    in_worker_ = true;
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
      }
      drain();
      std::lock_guard lk(mu_);
      if (--pending_ == 0) done_cv_.notify_one();
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
  bool stopping_ = false;
  uint64_t generation_ = 0;
  int pending_ = 0;
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
