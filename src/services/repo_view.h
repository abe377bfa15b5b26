// RepoView: what GET /api/{type}s/{id}[/revision/{rev}] shows of a repo at one commit: its
// files (siblings, with sizes, blob ids and LFS details) and the metadata derived from them by
// services/metadata (pipeline_tag, library_name, tags, cardData, config, transformersInfo, ...).
// Content at a commit never changes, so views are cached in-process by (repo uid, path,
// commit): no invalidation is ever needed, and a push simply makes a new key.
// The listing/search index (issue 5) reuses build_repo_view for what it stores per repo.
// Thread-safe: the cache is locked; views are immutable and shared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "services/metadata/repo_metadata.h"
#include "storage/db/database.h"

namespace hub::services {

struct RepoViewFile {
  std::string path;
  std::string blob_id;   // git blob sha1
  uint64_t size = 0;     // real size (LFS: the object's size)
  bool lfs = false;
  std::string sha256;    // LFS only
  uint64_t pointer_size = 0;  // LFS only
};

struct RepoView {
  std::string commit;
  std::string commit_date;              // committer date of `commit`, "…Z" (lastModified)
  std::vector<RepoViewFile> files;      // every file at the commit, tree order
  bool files_truncated = false;         // the tree is over tree_limits(): files is its start
  uint64_t used_storage = 0;            // sum of real sizes
  metadata::RepoMetadata metadata;
  json::object api_metadata;            // metadata::to_api_json(metadata)

  // [{"rfilename"}] or, with blobs, [{"rfilename","size","blobId","lfs":{sha256,size,pointerSize}}].
  json::array siblings_json(bool blobs) const;
};

// Reads `commit` (40-hex) of the bare repo at repo_path and derives the view. Errors:
// not_found "RevisionNotFound" for an unknown commit, io/corrupt from git.
Result<RepoView> build_repo_view(const storage::db::RepoRow& row, const std::string& repo_path,
                                 std::string_view commit);

// build_repo_view through the process-wide cache.
Result<std::shared_ptr<const RepoView>> cached_repo_view(const storage::db::RepoRow& row,
                                                         const std::string& repo_path,
                                                         std::string_view commit);

}  // namespace hub::services
