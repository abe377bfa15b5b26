// Limits: the hub's configurable quotas on what one request may bring in (a git push, an LFS
// object, the trees of a commit), with the knobs that set them (HUBD_MAX_PUSH_MB,
// HUBD_MAX_LFS_OBJECT_MB, HUBD_MAX_TREE_ENTRIES, HUBD_MAX_TREE_DEPTH; cli reads them) and the
// messages that refuse what is over. Plain values, part of HubConfig; thread-safe to read.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "storage/git/tree_limits.h"

namespace hub::services {

struct Limits {
  // One git push's request body, after gzip inflation (git receive-pack's receive.maxInputSize
  // is set a little below it, so git itself says why). Files of this size belong in LFS.
  uint64_t max_push_bytes = uint64_t(2048) << 20;
  // One LFS object (the Hub's own limit is 50 GB per file).
  uint64_t max_lfs_object_bytes = uint64_t(51200) << 20;
  // One commit's tree; the process-wide storage::git::set_tree_limits is set from this at start.
  storage::git::TreeLimits tree;
  // The command git receive-pack runs as its pre-receive hook to check pushed trees before any
  // ref moves (the hubd binary; "hubd git-hook pre-receive"). Empty: no hook (the checks at
  // commit and the bounded walks after the push still apply).
  std::string hook_binary;
};

// too_large "LfsObjectTooLarge" when an LFS object of `size` bytes is over the limit.
Result<void> check_lfs_object_size(const Limits& limits, uint64_t size, std::string_view what = {});

// "2048 MiB", "50 GiB": a limit as people read it.
std::string describe_bytes(uint64_t bytes);

}  // namespace hub::services
