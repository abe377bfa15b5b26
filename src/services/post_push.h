// PostPushQueue: the work a git push leaves behind (after_push in refs_changed.h: record what
// moved, link the LFS objects the new commits point to, re-index the default branch), done on
// the queue's own threads: never on the network event loop, and a request worker waits for it
// only briefly (git_http waits a few seconds so a normal push is indexed when git returns).
// One job per repository waits at a time: a push to a repo whose job has not started yet joins
// it (the job diffs from its earlier snapshot to whatever is on disk when it runs, which
// covers both pushes), and jobs of one repo never run at once. At most max_pending repos wait;
// past that submit blocks until one starts (backpressure that only a flood of pushes to many
// repos sees). stop() finishes what is queued, then joins, so a clean exit loses no push's
// bookkeeping. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "services/hub.h"
#include "services/refs_changed.h"
#include "services/repos.h"

namespace hub::services {

class PostPushQueue {
 public:
  struct Options {
    size_t threads = 2;
    size_t max_pending = 1024;
  };
  struct Job;
  // Whether a submitted job has run.
  class Ticket {
   public:
    explicit Ticket(std::shared_ptr<Job> j) : job_(std::move(j)) {}
    bool wait_for(std::chrono::milliseconds d) const;  // true once done
   private:
    std::shared_ptr<Job> job_;
  };

  PostPushQueue(Hub& hub, Options opts);
  ~PostPushQueue();
  PostPushQueue(const PostPushQueue&) = delete;
  PostPushQueue& operator=(const PostPushQueue&) = delete;

  // Queues after_push(repo, before). Once stopped, runs it on the caller's thread.
  Ticket submit(const RepoHandle& repo, RefSnapshot before);
  // Blocks until nothing is queued or running (tests, shutdown).
  void drain();
  void stop();
  size_t pending() const;

 private:
  void run_worker();
  std::shared_ptr<Job> take_locked();

  Hub& hub_;
  Options opts_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_, space_cv_, idle_cv_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::unordered_map<int64_t, std::shared_ptr<Job>> waiting_;  // repo id -> its queued job
  std::unordered_set<int64_t> running_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// The hub's queue, started on first use; stop_post_push_queue (called by stop_background)
// finishes its work and ends it.
PostPushQueue& post_push_queue(Hub& hub);
void stop_post_push_queue(Hub& hub);

}  // namespace hub::services
