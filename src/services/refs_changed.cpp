#include "services/refs_changed.h"

#include "core/log.h"
#include "core/time.h"
#include "services/discussions.h"
#include "services/indexer.h"
#include "services/lfs.h"
#include "services/webhooks.h"
#include "storage/git/repo.h"

namespace hub::services {

Result<RefSnapshot> snapshot_refs(const std::string& repo_path) {
  auto repo = storage::git::Repo::open(repo_path);
  if (!repo) return std::unexpected(repo.error());
  auto refs = repo->list_refs();
  if (!refs) return std::unexpected(refs.error());
  RefSnapshot s;
  for (auto* list : {&refs->branches, &refs->tags, &refs->pull_requests, &refs->converts})
    for (auto& r : *list) s[r.ref] = r.target;
  return s;
}

Result<std::vector<storage::db::RefUpdate>> after_push(Hub& hub, const RepoHandle& repo, const RefSnapshot& before) {
  auto now = snapshot_refs(repo.path);
  if (!now) return std::unexpected(now.error());
  std::vector<storage::db::RefUpdate> updates;
  int64_t at = now_ms();
  for (auto& [ref, oid] : *now) {
    auto it = before.find(ref);
    if (it == before.end() || it->second != oid)
      updates.push_back({repo.row.id, ref, it == before.end() ? std::string(40, '0') : it->second, oid, at});
  }
  for (auto& [ref, oid] : before)
    if (!now->contains(ref)) updates.push_back({repo.row.id, ref, oid, std::string(40, '0'), at});
  if (!updates.empty()) on_refs_updated(hub, repo, updates);
  return updates;
}

void on_refs_updated(Hub& hub, const RepoHandle& repo, const std::vector<storage::db::RefUpdate>& updates) {
  for (auto& u : updates) {
    if (auto r = hub.db().record_ref_update(u); !r)
      log::warn("cannot record ref update", {{"repo", repo.row.full_id()}, {"error", r.error().message}});
  }
  (void)hub.db().touch_repo(repo.row.id, now_ms());
  lfs_link_pushed_pointers(hub, repo, updates);  // objects the new commits point to (services/lfs.h)
  // Re-index the listing row when the default branch moved (indexer.h says why inline).
  index_after_refs_update(hub, repo, updates);
  // Commits pushed to refs/pr/N become events of pull request N (services/discussions.h).
  record_pr_commits(hub, repo, updates);
  // Webhooks watching the repo (repo.content update, services/webhooks.h): one queued job.
  emit_refs_event(hub, repo.row, repo.path, updates);
}

}  // namespace hub::services
