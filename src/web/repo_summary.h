// RepoSummary: what the pages need to know about a repo at one commit (its file list, card and
// derived metadata, whether it holds TensorBoard event files), computed once per commit and
// cached: a commit never changes, so entries never go stale, and the cache is bounded.
// Thread-safety: SummaryCache locks; summaries are immutable and shared.
#pragma once

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "services/repo_view.h"
#include "storage/db/database.h"

namespace hub::web {

struct RepoSummary {
  std::string commit;
  // The API's view of the commit (files with sizes, derived metadata), shared with it through
  // services' cache: the pages and GET /api/{type}s/{id} can never disagree on a repo's tags.
  std::shared_ptr<const services::RepoView> view;
  const services::metadata::RepoMetadata& metadata() const { return view->metadata; }
  bool has_readme = false;
  std::vector<std::string> event_files;          // events.out.tfevents.* paths
  uint64_t total_size = 0;                       // files, LFS at their real size
  size_t file_count = 0;
};

class SummaryCache {
 public:
  explicit SummaryCache(size_t capacity = 256) : capacity_(capacity) {}
  // commit is a 40-hex id of the repo `row` stored at repo_path.
  Result<std::shared_ptr<const RepoSummary>> get(const storage::db::RepoRow& row, const std::string& repo_path,
                                                 const std::string& commit);

 private:
  size_t capacity_;
  std::mutex mu_;
  std::list<std::string> order_;  // oldest first
  std::map<std::string, std::shared_ptr<const RepoSummary>> map_;
};

Result<RepoSummary> build_summary(const storage::db::RepoRow& row, const std::string& repo_path,
                                  const std::string& commit);

}  // namespace hub::web
