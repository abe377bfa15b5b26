#include "services/post_push.h"

#include <map>

#include "core/log.h"

namespace hub::services {

struct PostPushQueue::Job {
  RepoHandle repo;
  RefSnapshot before;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
};

bool PostPushQueue::Ticket::wait_for(std::chrono::milliseconds d) const {
  std::unique_lock lock(job_->mu);
  return job_->cv.wait_for(lock, d, [&] { return job_->done; });
}

PostPushQueue::PostPushQueue(Hub& hub, Options opts) : hub_(hub), opts_(opts) {
  for (size_t i = 0; i < std::max<size_t>(1, opts_.threads); ++i) threads_.emplace_back([this] { run_worker(); });
}

PostPushQueue::~PostPushQueue() { stop(); }

namespace {
void run_job(Hub& hub, PostPushQueue::Job& job, RepoHandle repo, const RefSnapshot& before) {
  // The repo may have been renamed since the push: work on where it is now.
  if (auto row = hub.db().repo_by_id(repo.row.id)) repo = RepoHandle{*row, hub.repo_path(row->type, row->ns, row->name)};
  if (auto r = after_push(hub, repo, before); !r)
    log::warn("post-push bookkeeping failed", {{"repo", repo.row.full_id()}, {"error", r.error().message}});
}
}  // namespace

PostPushQueue::Ticket PostPushQueue::submit(const RepoHandle& repo, RefSnapshot before) {
  std::unique_lock lock(mu_);
  if (auto it = waiting_.find(repo.row.id); it != waiting_.end()) return Ticket(it->second);
  space_cv_.wait(lock, [&] { return stopping_ || waiting_.size() < opts_.max_pending; });
  auto job = std::make_shared<Job>();
  job->repo = repo;
  job->before = std::move(before);
  if (stopping_) {
    lock.unlock();
    run_job(hub_, *job, job->repo, job->before);
    std::lock_guard jl(job->mu);
    job->done = true;
    return Ticket(job);
  }
  queue_.push_back(job);
  waiting_[repo.row.id] = job;
  work_cv_.notify_one();
  return Ticket(job);
}

// The first queued job whose repo has no job running; null if none.
std::shared_ptr<PostPushQueue::Job> PostPushQueue::take_locked() {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    int64_t id = (*it)->repo.row.id;
    if (running_.contains(id)) continue;
    auto job = *it;
    queue_.erase(it);
    waiting_.erase(id);
    running_.insert(id);
    return job;
  }
  return nullptr;
}

void PostPushQueue::run_worker() {
  std::unique_lock lock(mu_);
  for (;;) {
    std::shared_ptr<Job> job;
    work_cv_.wait(lock, [&] { return (job = take_locked()) != nullptr || (stopping_ && queue_.empty()); });
    if (!job) return;
    space_cv_.notify_one();
    lock.unlock();
    run_job(hub_, *job, job->repo, job->before);
    {
      std::lock_guard jl(job->mu);
      job->done = true;
    }
    job->cv.notify_all();
    lock.lock();
    running_.erase(job->repo.row.id);
    // A job of the same repo may have waited for this one to finish.
    work_cv_.notify_all();
    if (queue_.empty() && running_.empty()) idle_cv_.notify_all();
  }
}

void PostPushQueue::drain() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [&] { return queue_.empty() && running_.empty(); });
}

void PostPushQueue::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  work_cv_.notify_all();
  space_cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

size_t PostPushQueue::pending() const {
  std::lock_guard lock(mu_);
  return queue_.size() + running_.size();
}

namespace {
std::mutex g_queues_mu;
std::map<Hub*, std::unique_ptr<PostPushQueue>>& queues() {
  static std::map<Hub*, std::unique_ptr<PostPushQueue>> m;
  return m;
}
}  // namespace

PostPushQueue& post_push_queue(Hub& hub) {
  std::lock_guard lock(g_queues_mu);
  auto& slot = queues()[&hub];
  if (!slot) slot = std::make_unique<PostPushQueue>(hub, PostPushQueue::Options{});
  return *slot;
}

void stop_post_push_queue(Hub& hub) {
  std::unique_ptr<PostPushQueue> q;
  {
    std::lock_guard lock(g_queues_mu);
    auto it = queues().find(&hub);
    if (it == queues().end()) return;
    q = std::move(it->second);
    queues().erase(it);
  }
  q->stop();
}

}  // namespace hub::services
