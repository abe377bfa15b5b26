// Commit diffs for the web UI: a commit against its first parent (or the empty tree for a root
// commit), file by file, with line hunks for text files. Binary files and Git LFS pointers are
// summarised (sizes, oids), never diffed line by line. Bounded: past the limits the rest is
// dropped and `truncated` says so, so a huge commit costs a bounded amount of work.
// Thread-safety: like Repo (one thread at a time per Repo).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/git/repo.h"
#include "storage/git/types.h"

namespace hub::storage::git {

struct DiffLine {
  char origin = ' ';  // '+', '-', ' '
  int old_lineno = -1;
  int new_lineno = -1;
  std::string text;   // without the trailing newline
};

struct DiffHunk {
  std::string header;  // "@@ -1,3 +1,4 @@ ..."
  std::vector<DiffLine> lines;
};

struct FileDiff {
  char status = 'M';  // 'A' added, 'D' deleted, 'M' modified
  std::string old_path;
  std::string new_path;
  std::string old_oid;  // blob ids; 40 zeros when absent
  std::string new_oid;
  uint64_t old_size = 0;  // blob sizes (the pointer's for LFS files)
  uint64_t new_size = 0;
  bool binary = false;
  std::optional<LfsPointer> old_lfs;  // set when that side is an LFS pointer
  std::optional<LfsPointer> new_lfs;
  std::vector<DiffHunk> hunks;        // empty for binary and LFS changes
  size_t additions = 0;
  size_t deletions = 0;
  bool truncated = false;             // hunks cut at max_lines_per_file
};

struct DiffLimits {
  size_t max_files = 300;
  size_t max_lines_per_file = 3000;
  size_t max_total_lines = 20000;
  uint64_t max_blob_bytes = 2 << 20;  // larger blobs are summarised like binaries
};

struct CommitDiff {
  std::string commit;
  std::string parent;  // "" for a root commit
  std::vector<FileDiff> files;
  bool truncated = false;  // files or lines left out
};

// commit: 40-hex id. not_found "RevisionNotFound" if it is not a commit here.
Result<CommitDiff> diff_commit(const Repo& repo, std::string_view commit, const DiffLimits& limits = {});
// The same, between any two commits (a pull request against its merge base): `from` -> `to`.
Result<CommitDiff> diff_range(const Repo& repo, std::string_view from, std::string_view to,
                              const DiffLimits& limits = {});
// `git diff from to` as unified patch text (the discussions API's "diff"), cut at max_bytes.
Result<std::string> diff_patch_text(const Repo& repo, std::string_view from, std::string_view to,
                                    size_t max_bytes);

}  // namespace hub::storage::git
