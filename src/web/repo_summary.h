// RepoSummary: what the pages need to know about a repo at one commit (its file list, card and
// derived metadata, whether it holds TensorBoard event files), computed once per commit and
// cached: a commit never changes, so entries never go stale, and the cache is bounded.
// When services/repo_view lands, build() is the one place to switch to it.
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
#include "services/metadata/repo_metadata.h"
#include "storage/git/repo.h"
#include "storage/git/types.h"

namespace hub::web {

struct RepoSummary {
  std::string commit;
  std::vector<storage::git::TreeEntry> entries;  // recursive, files and folders
  services::metadata::RepoMetadata metadata;
  std::string readme;                            // README.md text (bounded), empty if none
  bool has_readme = false;
  std::vector<std::string> event_files;          // events.out.tfevents.* paths
  uint64_t total_size = 0;                       // files, LFS at their real size
  size_t file_count = 0;
};

class SummaryCache {
 public:
  explicit SummaryCache(size_t capacity = 256) : capacity_(capacity) {}
  // `repo` is open on the repo at repo_path; commit is a 40-hex id.
  Result<std::shared_ptr<const RepoSummary>> get(const std::string& repo_path, storage::git::Repo& repo,
                                                 const std::string& commit);

 private:
  size_t capacity_;
  std::mutex mu_;
  std::list<std::string> order_;  // oldest first
  std::map<std::string, std::shared_ptr<const RepoSummary>> map_;
};

Result<RepoSummary> build_summary(storage::git::Repo& repo, const std::string& commit);

}  // namespace hub::web
