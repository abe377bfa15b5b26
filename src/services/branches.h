// Branch and tag use cases behind the API's branch/, tag/ and super-squash/ routes
// (HUB_API.md §6): validate names, resolve starting points, move refs (compare-and-swap
// where a ref already exists) and report every change through on_refs_updated.
// The caller has checked write access (open_repo with Access::write). Thread-safe: each call
// opens its own storage::git::Repo.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "services/hub.h"
#include "services/repos.h"
#include "storage/git/types.h"

namespace hub::services {

struct NewBranch {
  std::string name;             // short name ("dev", "feature/x")
  std::string starting_point;   // revision; "" = the default branch's head
  bool empty = false;           // a root commit with an empty tree instead
  bool overwrite = false;       // move an existing branch instead of 409
};

// Errors: invalid_argument (bad name), already_exists, not_found "RevisionNotFound".
Result<std::string> create_branch(Hub& hub, const RepoHandle& repo, const NewBranch& b,
                                  const storage::git::Signature& who);
// not_found "RevisionNotFound"; invalid_argument for the default branch.
Result<void> delete_branch(Hub& hub, const RepoHandle& repo, std::string_view name);
// Tags `revision`; annotated when message is non-empty. Returns the tagged commit.
Result<std::string> create_tag(Hub& hub, const RepoHandle& repo, std::string_view revision, std::string_view tag,
                               std::string_view message, const storage::git::Signature& who);
Result<void> delete_tag(Hub& hub, const RepoHandle& repo, std::string_view tag);
// Replaces the branch's history with one root commit holding its current tree.
// conflict if the branch moved meanwhile. Returns the new commit.
Result<std::string> super_squash(Hub& hub, const RepoHandle& repo, std::string_view branch, std::string_view message,
                                 const storage::git::Signature& who);

}  // namespace hub::services
