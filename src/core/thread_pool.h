// ThreadPool: a fixed set of worker threads draining a FIFO of tasks. Used for blocking work
// (git subprocesses, libgit2, database) so that the network event loop never blocks.
// Thread-safe. The destructor finishes queued tasks, then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace hub {

class ThreadPool {
 public:
  explicit ThreadPool(size_t n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void post(std::function<void()> task);
  size_t size() const { return threads_.size(); }
  size_t queued() const;

 private:
  void run();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace hub
