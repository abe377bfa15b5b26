// Private to storage/git: Repo::Impl (the owned git_repository) and helpers shared by the
// .cpp files of this folder. Includes git2.h via git_private.h; never include it from a
// public header. Thread-safety: as Repo (one thread at a time per Impl).
#pragma once

#include <string>
#include <string_view>

#include "storage/git/git_private.h"
#include "storage/git/repo.h"
#include "storage/git/tree_limits.h"

namespace hub::storage::git {

struct Repo::Impl {
  detail::RepoPtr repo;
  git_repository* get() const { return repo.get(); }
};

namespace detail {

// A git_signature from ours (time_ms 0 = now, UTC).
Result<SignaturePtr> make_signature(const Signature& s);
// Looks up a commit by 40-hex id; not_found "RevisionNotFound" if absent or not a commit.
Result<CommitPtr> lookup_commit(git_repository* repo, std::string_view hex);
CommitInfo to_commit_info(const git_commit* c);
// Normalises a repo path for lookups: strips one leading and trailing '/'; "" = root.
std::string_view trim_slashes(std::string_view path);
// A tree object, refused (too_large "TreeTooLarge", naming `path`) when its object is larger
// than a folder within `limits` can be, before libgit2 parses it (tree_limits.cpp).
Result<TreePtr> lookup_tree_bounded(git_repository* repo, const git_oid& id, const TreeLimits& limits,
                                    std::string_view path);

}  // namespace detail
}  // namespace hub::storage::git
