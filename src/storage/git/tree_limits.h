// Tree limits: how much one commit's tree may hold (files and folders counted at every level,
// folder nesting, the size of one folder), the process-wide setting every tree walk in
// storage/git obeys, and the checks that enforce it where trees arrive: a git push (the
// pre-receive hook, before any ref moves) and CommitBuilder::write (the commit API, branches).
// Why: a pack of a few KB can describe a tree of millions of paths by reusing one subtree
// (a "tree bomb"); anything that flattens such a tree must be bounded by what it describes,
// not by the bytes it took to send. The checks visit each distinct tree object once (counts
// of a subtree are memoised by its id), so a bomb costs what its few objects cost.
// Thread-safety: tree_limits()/set_tree_limits() are safe from any thread (set once at start);
// the checks open or borrow one repository handle and keep no state across calls except the
// process-wide memo of tree shapes (locked; tree ids name content, so it is valid in any repo).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hub::storage::git {

class Repo;

struct TreeLimits {
  size_t max_entries = 200'000;  // files + folders in one commit's tree, all levels together
  size_t max_depth = 64;         // folders nested below the root
  // One folder's tree object: max_entries entries with names of the longest kind git allows.
  uint64_t max_tree_object_bytes() const { return uint64_t(max_entries) * 300 + 4096; }
};

// The limits walks use unless given others. cli sets them once at start (HUBD_MAX_TREE_*).
TreeLimits tree_limits();
void set_tree_limits(const TreeLimits& limits);

struct TreeShape {
  size_t entries = 0;  // files + folders below this tree, all levels
  size_t depth = 0;    // folder levels below this tree (0: no subfolders)
};

// The shape of the tree object `tree_oid` (40-hex) in `repo`, or too_large "TreeTooLarge"
// whose message says what is over the limit (and where). Unique subtrees are counted once.
Result<TreeShape> check_tree(const Repo& repo, std::string_view tree_oid, const TreeLimits& limits = tree_limits());

// One line of what git receive-pack writes to a pre-receive hook: "<old> <new> <ref>".
struct PushedRef {
  std::string old_oid;
  std::string new_oid;  // 40 zeros: the ref is deleted
  std::string ref;
};
Result<std::vector<PushedRef>> parse_pushed_refs(std::string_view hook_stdin);

struct PushCheckOptions {
  TreeLimits limits = tree_limits();
  size_t max_ref_updates = 10'000;  // refs one push may create/move/delete
  // Objects received but not yet in the repository (git's quarantine, GIT_QUARANTINE_PATH).
  std::vector<std::string> object_dirs;
  // A file whose content at each new branch tip (refs/heads/*, refs/pr/*) must pass
  // check_tip_file, e.g. the README whose metadata the hub validates: called with the ref and
  // the file's bytes when the tip's root tree holds it as a blob of at most max_tip_file_bytes
  // (larger ones are not read: the caller's rule applies to text it can parse). An error
  // refuses the push with its message.
  std::string tip_file;
  size_t max_tip_file_bytes = 1 << 20;
  std::function<Result<void>(std::string_view ref, std::string_view content)> check_tip_file;
};

// The pre-receive check: every commit a push adds (reachable from the new ids and from no ref
// the repository has now) has a tree within the limits; tags are peeled, a tag naming a tree
// is checked as one. too_large with a message for the user (git shows it as "remote: ...");
// the whole push is refused. Work is bounded: past 8 x max_entries tree entries read in all,
// the push is refused as too large to check (split it into smaller pushes).
Result<void> check_push(const std::string& repo_path, const std::vector<PushedRef>& updates,
                        const PushCheckOptions& opts = {});

}  // namespace hub::storage::git
