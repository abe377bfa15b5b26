// Post-push work: the bookkeeping a git push leaves behind (after_push in refs_changed.h:
// record what moved, link the LFS objects the new commits point to, re-index the default
// branch, tell webhooks), run as a durable "post_push" job on the hub's JobRunner (jobs.h):
// never on the network event loop, and it survives a crash or restart between the push and
// the work (the job holds the refs as they were before the push; after a restart the job diffs
// them against whatever is on disk then). git_http waits for it only briefly (a few seconds,
// so a normal push is indexed when git returns).
// One pending job per repository (key = repo id): a push to a repo whose job has not started
// yet joins it (the job diffs from its earlier snapshot, which covers both pushes), and jobs of
// one repo never run at once, on any node. Thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "services/hub.h"
#include "services/refs_changed.h"
#include "services/repos.h"

namespace hub::services {

class JobRunner;

// Whether a submitted push's bookkeeping has run (no post_push job of its repo is left).
class PostPushTicket {
 public:
  PostPushTicket(Hub* hub, int64_t repo_id) : hub_(hub), repo_id_(repo_id) {}
  bool wait_for(std::chrono::milliseconds d) const;

 private:
  Hub* hub_;
  int64_t repo_id_;
};

// Queues after_push(repo, before) as a durable job and wakes the hub's runner (the server
// starts it; without one the job waits for the next server start). When the job cannot be
// queued (database error) the work runs on the caller's thread instead.
PostPushTicket submit_post_push(Hub& hub, const RepoHandle& repo, const RefSnapshot& before);

// The job's payload ({"repo_id":N,"before":{ref:oid}}) and back; and the handler registration.
std::string post_push_payload(int64_t repo_id, const RefSnapshot& before);
void register_post_push_jobs(JobRunner& runner);

}  // namespace hub::services
