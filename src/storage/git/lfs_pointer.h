// LFS pointers as storage/git sees them: a blob's text read as a pointer (parsing and the
// canonical text are core/lfs_pointer.h's, the one parser of the project), and the objects new
// commits point to, so services can record which objects a repo may serve. Scan work is bounded:
// only the commits reachable from `tips` and not from `hide` are visited, each diffed against its
// first parent (unchanged subtrees skipped by id, each new tree compared once per scan, every
// folder bounded by tree_limits(), at most max_entries entries in all); only changed blobs small
// enough to be pointers are read.
// Thread-safety: opens its own repository handle; safe to call from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <optional>
#include <string_view>

#include "core/lfs_pointer.h"
#include "core/result.h"
#include "storage/git/types.h"

namespace hub::storage::git {

// The pointer in a blob (pointer_size = the blob's size), or nullopt if the blob is not one.
std::optional<LfsPointer> parse_lfs_pointer(std::string_view blob);

struct LfsScanLimits {
  size_t max_commits = 20000;  // beyond this the scan stops and says so (truncated)
  size_t max_entries = 0;      // tree entries compared in all; 0: 8 x tree_limits().max_entries
};

struct LfsScan {
  std::vector<LfsPointer> pointers;  // unique by oid
  size_t commits = 0;                // commits visited
  bool truncated = false;
};

// tips/hide: 40-hex commit ids (annotated tags allowed). Ids that do not exist in `hide` are
// ignored (a force push may have dropped them); a missing tip is not_found.
Result<LfsScan> scan_lfs_pointers(const std::string& repo_path, const std::vector<std::string>& tips,
                                  const std::vector<std::string>& hide, const LfsScanLimits& limits = {});

}  // namespace hub::storage::git
