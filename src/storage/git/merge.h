// Merging without a work tree, for pull requests: ancestry questions (merge base, is-ancestor),
// the commits a ref gained (a revwalk with hidden tips), and a three-way merge of two commits
// done in memory by libgit2 (git_merge_commits): either the merge commit is written, or the
// conflicting paths are reported and nothing is written. Moves no ref.
// Thread-safety: like Repo (one thread at a time per Repo).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/git/commit_builder.h"
#include "storage/git/repo.h"
#include "storage/git/types.h"

namespace hub::storage::git {

// The best common ancestor of a and b (40-hex commit ids); not_found when they share none.
Result<std::string> merge_base(const Repo& repo, std::string_view a, std::string_view b);
// Whether `ancestor` is `descendant` or one of its ancestors.
Result<bool> is_ancestor(const Repo& repo, std::string_view ancestor, std::string_view descendant);
// Commits reachable from `tip` but from none of `hide` (ids; unknown ones are ignored), oldest
// first, at most `limit` (the newest ones are kept when there are more).
Result<std::vector<CommitInfo>> commits_since(const Repo& repo, std::string_view tip,
                                              const std::vector<std::string>& hide, size_t limit);

struct MergeOutcome {
  std::string commit;                  // the merge commit (empty when conflicts)
  std::vector<std::string> conflicts;  // paths both sides changed incompatibly, sorted
};
// Three-way merge of `theirs` into `ours`; with no conflicts writes a commit with parents
// (ours, theirs) and opts' message and signatures. dry_run: only the conflict check.
Result<MergeOutcome> merge_commits(Repo& repo, std::string_view ours, std::string_view theirs,
                                   const CommitOptions& opts, bool dry_run = false);

}  // namespace hub::storage::git
