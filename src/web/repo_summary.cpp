#include "web/repo_summary.h"

#include "tensorboard/scalars.h"

namespace hub::web {

Result<RepoSummary> build_summary(const storage::db::RepoRow& row, const std::string& repo_path,
                                  const std::string& commit) {
  RepoSummary s;
  s.commit = commit;
  HUB_TRY(view, services::cached_repo_view(row, repo_path, commit));
  s.view = std::move(view);
  for (const auto& f : s.view->files) {
    s.total_size += f.size;
    ++s.file_count;
    if (f.path == "README.md") s.has_readme = true;
    if (tensorboard::is_event_file(f.path)) s.event_files.push_back(f.path);
  }
  return s;
}

Result<std::shared_ptr<const RepoSummary>> SummaryCache::get(const storage::db::RepoRow& row,
                                                             const std::string& repo_path,
                                                             const std::string& commit) {
  std::string key = repo_path + "@" + commit;
  {
    std::lock_guard lock(mu_);
    if (auto it = map_.find(key); it != map_.end()) return it->second;
  }
  // Built outside the lock: two requests may race to build the same entry; both results are equal.
  auto s = build_summary(row, repo_path, commit);
  if (!s) return std::unexpected(s.error());
  auto ptr = std::make_shared<const RepoSummary>(std::move(*s));
  std::lock_guard lock(mu_);
  if (!map_.contains(key)) {
    map_[key] = ptr;
    order_.push_back(key);
    while (map_.size() > capacity_) {
      map_.erase(order_.front());
      order_.pop_front();
    }
  }
  return ptr;
}

}  // namespace hub::web
