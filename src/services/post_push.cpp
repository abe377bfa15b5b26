#include "services/post_push.h"

#include "core/json.h"
#include "core/log.h"
#include "services/jobs.h"

namespace hub::services {

namespace {
constexpr std::string_view kKind = "post_push";

Result<void> run_after_push(Hub& hub, int64_t repo_id, const RefSnapshot& before) {
  // The repo may have been renamed since the push: work on where it is now. A repo deleted
  // since has nothing left to record.
  auto row = hub.db().repo_by_id(repo_id);
  if (!row) return row.error().code == Errc::not_found ? Result<void>{} : std::unexpected(row.error());
  RepoHandle repo{*row, hub.repo_path(row->type, row->ns, row->name)};
  if (auto r = after_push(hub, repo, before); !r) {
    log::warn("post-push bookkeeping failed", {{"repo", repo.row.full_id()}, {"error", r.error().message}});
    return std::unexpected(r.error());
  }
  return {};
}

Result<void> run_job(Hub& hub, const storage::db::JobRow& job) {
  auto doc = json::parse(job.payload);
  if (!doc || !doc->is_object()) return fail(Errc::invalid_argument, "post_push job: payload is not an object");
  auto& o = doc->as_object();
  auto id = json::get_int(o, "repo_id");
  const json::object* refs = json::get_object(o, "before");
  if (!id || !refs) return fail(Errc::invalid_argument, "post_push job: repo_id and before required");
  RefSnapshot before;
  for (const auto& kv : *refs)
    if (kv.value().is_string()) before[std::string(kv.key())] = std::string(kv.value().as_string());
  return run_after_push(hub, *id, before);
}
}  // namespace

std::string post_push_payload(int64_t repo_id, const RefSnapshot& before) {
  json::object refs;
  for (auto& [k, v] : before) refs[k] = v;
  return json::serialize(json::object{{"repo_id", repo_id}, {"before", std::move(refs)}});
}

bool PostPushTicket::wait_for(std::chrono::milliseconds d) const {
  if (!hub_) return true;
  return wait_job_key(*hub_, kKind, std::to_string(repo_id_), d);
}

PostPushTicket submit_post_push(Hub& hub, const RepoHandle& repo, const RefSnapshot& before) {
  auto r = enqueue_job(hub, kKind, std::to_string(repo.row.id), post_push_payload(repo.row.id, before));
  if (!r) {
    log::warn("cannot queue post-push work; running it now", {{"repo", repo.row.full_id()}, {"error", r.error().message}});
    (void)run_after_push(hub, repo.row.id, before);
    return PostPushTicket(nullptr, 0);
  }
  return PostPushTicket(&hub, repo.row.id);
}

void register_post_push_jobs(JobRunner& runner) {
  // Reading git and the database only fails when something is badly wrong; a few spaced
  // retries cover a database that was briefly away.
  runner.handle(std::string(kKind), run_job, JobPolicy{5, 2000, 60'000});
}

}  // namespace hub::services
