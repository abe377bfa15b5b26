// JobRunner: runs the durable background jobs of the `jobs` table (storage/db job_types.h) on a
// small pool of threads: post-push bookkeeping (post_push.h), webhook fan-out and deliveries
// (webhooks.h). The table is the queue, so a job survives a crash or restart, and several hubd
// nodes on one PostgreSQL share it: each claims due jobs under a lease (SKIP LOCKED there),
// a dead node's jobs come back when its lease expires, and jobs of one (kind, key) never run
// at once. A runner wakes at once on its own node's enqueue and polls (HUBD_JOBS_POLL_MS,
// default 1000) for other nodes' work and for retries coming due.
// While jobs run, a heartbeat renews their leases every lease_ms / 3, so a long job is not
// taken by another node while its node is alive.
// A handler's error retries the job with exponential backoff (the kind's policy) until
// max_attempts; Errc::invalid_argument (a payload that can never run) drops it at once.
// stop() lets running jobs finish, keeps taking due jobs for up to drain_ms, then joins; what
// is left stays queued for the next start. Handlers must be registered before start().
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"
#include "services/hub.h"
#include "storage/db/database.h"

namespace hub::services {

struct JobPolicy {
  int max_attempts = 8;
  int64_t backoff_ms = 1000;      // before the 2nd attempt; doubles after each failure
  int64_t max_backoff_ms = 3600'000;
};

class JobRunner {
 public:
  struct Options {
    size_t threads = 2;                 // 0: this node only enqueues (HUBD_JOBS_THREADS)
    int64_t lease_ms = 300'000;         // a claimed job returns to the queue after this
    std::chrono::milliseconds poll{1000};
    std::chrono::milliseconds drain{10'000};
    std::string owner;                  // lease owner id; default: host:pid:random
  };
  using Handler = std::function<Result<void>(Hub&, const storage::db::JobRow&)>;

  JobRunner(Hub& hub, Options opts);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  void handle(std::string kind, Handler h, JobPolicy policy = {});
  void start();
  void stop();

  // Queues a job (durably) and wakes this node's workers. false: it joined the pending job of
  // the same non-empty key.
  Result<bool> enqueue(std::string_view kind, std::string_view key, std::string payload, int64_t delay_ms = 0);
  // Waits until no job of (kind, key) is queued or running anywhere, at most `d`; true if so.
  bool wait_key(std::string_view kind, std::string_view key, std::chrono::milliseconds d);
  // Waits until none of this runner's kinds has a job due now (queued or running) (tests).
  void drain();
  const std::string& owner() const { return opts_.owner; }
  // Backoff before attempt n+1 after n failed attempts.
  static int64_t backoff_for(const JobPolicy& p, int64_t attempts);

 private:
  void run_worker();
  void run_heartbeat();
  bool run_one();  // claims and runs one job; false when none was due
  std::vector<std::string> kinds() const;

  Hub& hub_;
  Options opts_;
  std::map<std::string, std::pair<Handler, JobPolicy>, std::less<>> handlers_;
  mutable std::mutex mu_;
  std::condition_variable wake_cv_, done_cv_;
  uint64_t wakeups_ = 0;
  size_t running_ = 0;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point stop_deadline_;
  std::vector<std::thread> threads_;
  std::set<int64_t> active_;  // ids of the jobs running here (heartbeat renews their leases)
  std::condition_variable beat_cv_;
  bool beat_stop_ = false;
  std::thread heartbeat_;
};

// The hub's runner, with every built-in kind registered (post_push, webhook_event,
// webhook_delivery); created and started on first use. stop_job_runner (called by
// stop_background) drains and ends it.
JobRunner& job_runner(Hub& hub);
void stop_job_runner(Hub& hub);
// Queues a job durably and wakes the hub's runner when one runs in this process; never starts
// one (a job queued by an admin CLI command waits for a server to run it).
Result<bool> enqueue_job(Hub& hub, std::string_view kind, std::string_view key, std::string payload,
                         int64_t delay_ms = 0);
// JobRunner::wait_key on the hub's runner; false at once when none runs in this process.
bool wait_job_key(Hub& hub, std::string_view kind, std::string_view key, std::chrono::milliseconds d);

}  // namespace hub::services
