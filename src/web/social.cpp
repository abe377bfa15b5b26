#include "web/social.h"

#include "services/counters.h"

namespace hub::web {

RepoStats repo_stats(services::Hub& hub, const storage::db::RepoRow& repo, const services::Principal& p,
                     bool want_liked) {
  auto c = services::repo_counters(hub, repo.id);
  RepoStats s;
  s.downloads = c.downloads;
  s.likes = c.likes;
  if (want_liked && p.account) {
    // A user's likes are few; the newest 1000 are enough to mark the button.
    if (auto rows = hub.db().likes_of_account(p.account->id, std::nullopt, 1000))
      for (auto& r : *rows) s.liked |= r.repo_id == repo.id;
  }
  return s;
}

Result<int64_t> set_like(services::Hub& hub, const storage::db::RepoRow& repo, const services::Principal& p,
                         bool like) {
  return services::set_repo_like(hub, p, repo.type, repo.ns, repo.name, like);
}

}  // namespace hub::web
