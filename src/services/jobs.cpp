#include "services/jobs.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "core/hash.h"
#include "core/log.h"
#include "core/time.h"
#include "services/post_push.h"
#include "services/webhooks.h"

namespace hub::services {

namespace {
std::string default_owner() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = 0;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + hex_encode(random_bytes(4));
}
}  // namespace

JobRunner::JobRunner(Hub& hub, Options opts) : hub_(hub), opts_(std::move(opts)) {
  if (opts_.owner.empty()) opts_.owner = default_owner();
}

JobRunner::~JobRunner() { stop(); }

void JobRunner::handle(std::string kind, Handler h, JobPolicy policy) {
  std::lock_guard lock(mu_);
  handlers_[std::move(kind)] = {std::move(h), policy};
}

std::vector<std::string> JobRunner::kinds() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (auto& [k, _] : handlers_) out.push_back(k);
  return out;
}

void JobRunner::start() {
  std::lock_guard lock(mu_);
  if (!threads_.empty() || stopping_) return;
  for (size_t i = 0; i < opts_.threads; ++i) threads_.emplace_back([this] { run_worker(); });
  if (opts_.threads > 0) heartbeat_ = std::thread([this] { run_heartbeat(); });
}

void JobRunner::run_heartbeat() {
  std::unique_lock lock(mu_);
  for (;;) {
    beat_cv_.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(opts_.lease_ms / 3, 10)),
                      [&] { return beat_stop_; });
    if (beat_stop_) return;
    std::vector<int64_t> ids(active_.begin(), active_.end());
    lock.unlock();
    int64_t until = now_ms() + opts_.lease_ms;
    for (int64_t id : ids)
      if (auto r = hub_.db().renew_job_lease(id, opts_.owner, until); !r && r.error().code != Errc::not_found)
        log::warn("cannot renew a job lease", {{"error", r.error().message}});
    lock.lock();
  }
}

int64_t JobRunner::backoff_for(const JobPolicy& p, int64_t attempts) {
  int64_t d = std::max<int64_t>(p.backoff_ms, 1);
  for (int64_t i = 1; i < attempts && d < p.max_backoff_ms; ++i) d *= 2;
  return std::min(d, p.max_backoff_ms);
}

Result<bool> JobRunner::enqueue(std::string_view kind, std::string_view key, std::string payload, int64_t delay_ms) {
  storage::db::JobRow j;
  j.kind = std::string(kind);
  j.key = std::string(key);
  j.payload = std::move(payload);
  j.created_at = now_ms();
  j.run_after = j.created_at + std::max<int64_t>(delay_ms, 0);
  auto r = hub_.db().enqueue_job(j);
  if (r) {
    std::lock_guard lock(mu_);
    ++wakeups_;
  }
  wake_cv_.notify_one();
  return r;
}

bool JobRunner::run_one() {
  auto ks = kinds();
  if (ks.empty()) return false;
  auto got = hub_.db().claim_jobs(opts_.owner, ks, now_ms(), opts_.lease_ms, 1);
  if (!got) {
    log::warn("cannot claim background jobs", {{"error", got.error().message}});
    return false;
  }
  if (got->empty()) return false;
  const auto& job = got->front();
  Handler h;
  JobPolicy policy;
  {
    std::lock_guard lock(mu_);
    active_.insert(job.id);
    auto it = handlers_.find(job.kind);
    h = it->second.first;
    policy = it->second.second;
  }
  Result<void> r = fail(Errc::internal, "job handler threw");
  try {
    r = h(hub_, job);
  } catch (const std::exception& e) {
    r = fail(Errc::internal, std::string("job handler threw: ") + e.what());
  }
  {
    std::lock_guard lock(mu_);
    active_.erase(job.id);
  }
  Result<void> end;
  if (r) {
    end = hub_.db().complete_job(job.id, opts_.owner);
  } else if (r.error().code == Errc::invalid_argument || job.attempts >= policy.max_attempts) {
    log::warn("background job given up", {{"kind", job.kind},
                                           {"key", job.key},
                                           {"attempts", std::to_string(job.attempts)},
                                           {"error", r.error().message}});
    end = hub_.db().complete_job(job.id, opts_.owner);
  } else {
    end = hub_.db().fail_job(job.id, opts_.owner, now_ms() + backoff_for(policy, job.attempts), r.error().message);
  }
  if (!end)  // the lease ran out meanwhile and another node took the job: it runs again there
    log::warn("background job outcome not recorded", {{"kind", job.kind}, {"error", end.error().message}});
  return true;
}

void JobRunner::run_worker() {
  for (;;) {
    uint64_t seen;
    {
      std::unique_lock lock(mu_);
      if (stopping_ && std::chrono::steady_clock::now() >= stop_deadline_) return;
      seen = wakeups_;
      ++running_;
    }
    bool ran = run_one();
    std::unique_lock lock(mu_);
    --running_;
    done_cv_.notify_all();
    if (ran) continue;
    if (stopping_) return;  // nothing due: the drain is over for this worker
    wake_cv_.wait_for(lock, opts_.poll, [&] { return stopping_ || wakeups_ != seen; });
  }
}

bool JobRunner::wait_key(std::string_view kind, std::string_view key, std::chrono::milliseconds d) {
  auto deadline = std::chrono::steady_clock::now() + d;
  for (;;) {
    auto jobs = hub_.db().list_jobs(kind, 10000);
    if (jobs && std::none_of(jobs->begin(), jobs->end(), [&](const auto& j) { return j.key == key; })) return true;
    std::unique_lock lock(mu_);
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    // Woken when a local job ends; polled for other nodes' work.
    done_cv_.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(100)));
  }
}

void JobRunner::drain() {
  auto ks = kinds();
  for (;;) {
    int64_t now = now_ms();
    bool busy = false;
    for (auto& k : ks) {
      auto jobs = hub_.db().list_jobs(k, 10000);
      if (!jobs) continue;
      for (auto& j : *jobs)
        if ((j.lease_owner.empty() && j.run_after <= now) || j.lease_owner == opts_.owner) busy = true;
    }
    if (!busy) return;
    {
      std::lock_guard lock(mu_);
      ++wakeups_;
    }
    wake_cv_.notify_all();
    std::unique_lock lock(mu_);
    done_cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
}

void JobRunner::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    stop_deadline_ = std::chrono::steady_clock::now() + opts_.drain;
  }
  wake_cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
  {
    std::lock_guard lock(mu_);
    beat_stop_ = true;
  }
  beat_cv_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
}

namespace {
std::mutex g_runners_mu;
// shared_ptr: a waiter (wait_job_key) keeps the runner alive while stop_job_runner ends it.
std::map<Hub*, std::shared_ptr<JobRunner>>& runners() {
  static std::map<Hub*, std::shared_ptr<JobRunner>> m;
  return m;
}

int64_t env_int(const char* name, int64_t dflt) {
  const char* v = std::getenv(name);
  if (!v || !*v) return dflt;
  char* end = nullptr;
  long long n = std::strtoll(v, &end, 10);
  return (end && *end == 0 && n >= 0) ? n : dflt;
}
}  // namespace

JobRunner& job_runner(Hub& hub) {
  std::lock_guard lock(g_runners_mu);
  auto& slot = runners()[&hub];
  if (!slot) {
    JobRunner::Options o;
    o.threads = size_t(env_int("HUBD_JOBS_THREADS", 2));
    o.poll = std::chrono::milliseconds(std::max<int64_t>(10, env_int("HUBD_JOBS_POLL_MS", 1000)));
    o.lease_ms = std::max<int64_t>(1000, env_int("HUBD_JOBS_LEASE_MS", 300'000));
    slot = std::make_shared<JobRunner>(hub, o);
    register_post_push_jobs(*slot);
    register_webhook_jobs(*slot);
    slot->start();
  }
  return *slot;
}

Result<bool> enqueue_job(Hub& hub, std::string_view kind, std::string_view key, std::string payload,
                         int64_t delay_ms) {
  {
    std::lock_guard lock(g_runners_mu);
    auto it = runners().find(&hub);
    if (it != runners().end() && it->second) return it->second->enqueue(kind, key, std::move(payload), delay_ms);
  }
  storage::db::JobRow j;
  j.kind = std::string(kind);
  j.key = std::string(key);
  j.payload = std::move(payload);
  j.created_at = now_ms();
  j.run_after = j.created_at + std::max<int64_t>(delay_ms, 0);
  return hub.db().enqueue_job(j);
}

bool wait_job_key(Hub& hub, std::string_view kind, std::string_view key, std::chrono::milliseconds d) {
  std::shared_ptr<JobRunner> r;
  {
    std::lock_guard lock(g_runners_mu);
    auto it = runners().find(&hub);
    if (it == runners().end()) return false;
    r = it->second;
  }
  return r->wait_key(kind, key, d);
}

void stop_job_runner(Hub& hub) {
  std::shared_ptr<JobRunner> r;
  {
    std::lock_guard lock(g_runners_mu);
    auto it = runners().find(&hub);
    if (it == runners().end()) return;
    r = std::move(it->second);
    runners().erase(it);
  }
  r->stop();
}

}  // namespace hub::services
