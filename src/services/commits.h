// The commit use case behind POST /api/{type}s/{id}/commit/{rev} (HUB_API.md §7.3): builds a
// commit server-side (storage::git::CommitBuilder, no work tree) from operations applied as
// they stream in, then moves the branch by compare-and-swap so no concurrent commit is ever
// lost. With a parentCommit, a branch that moved is 412; without one, a lost race rebuilds on
// the new head (blobs already written are replayed by id, not kept in memory) and retries.
// create_pr puts the commit on a new refs/pr/N. Every ref move goes through on_refs_updated.
// Thread-safety: a CommitSession belongs to one request (one thread); sessions on the same
// repo may run concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/auth.h"
#include "services/hub.h"
#include "services/repos.h"
#include "storage/git/types.h"

namespace hub::services {

struct CommitHeader {
  std::string summary;
  std::string description;
  std::string parent_commit;  // optional; full or >= 7-char short sha
};

struct CommitOp {
  enum class Kind { file, lfs_file, delete_file, delete_folder };
  Kind kind = Kind::file;
  std::string path;
  std::string content;            // file: the bytes
  std::string oid;                // lfs_file: sha256 hex (lowercase)
  std::optional<uint64_t> size;   // lfs_file: may be missing (the blob store knows)
};

struct CommitTarget {
  std::string revision;  // "main", "refs/heads/main", "refs/pr/3"
  bool create_pr = false;
};

struct CommitOutcome {
  std::string commit_oid;
  std::string ref;                // the full ref that moved
  std::optional<int> pr_num;      // with create_pr
};

// Errors, for the API's mapping: precondition_failed (stale parentCommit), conflict (lost the
// race too often), not_found "RevisionNotFound" (branch / parentCommit), not_found
// "EntryNotFound" (deletedFile/Folder on a missing path), invalid_argument "InvalidPath" /
// "InvalidOperation" (bad path, a file and a folder with the same name, unknown LFS object or
// size mismatch), too_large (operation count).
class CommitSession {
 public:
  // Opens the repository and picks the base commit (parentCommit, else the head of the target).
  // Checks a stale parentCommit here already, before any operation is read.
  static Result<CommitSession> begin(Hub& hub, const Principal& p, const RepoHandle& repo,
                                     const CommitTarget& target, CommitHeader header);
  CommitSession(CommitSession&&) noexcept;
  CommitSession& operator=(CommitSession&&) noexcept;
  ~CommitSession();

  // Applies one operation on top of the ones before (the blob is written now).
  Result<void> apply(CommitOp op);
  size_t operation_count() const;
  // Adds .gitattributes rules for LFS files no rule covers, writes the commit, moves the ref
  // (retrying a lost race when no parentCommit was given), records the ref change.
  Result<CommitOutcome> finish();

  static constexpr size_t kMaxOperations = 100'000;
  static constexpr int kMaxAttempts = 5;

 private:
  struct State;
  explicit CommitSession(std::unique_ptr<State> s);
  std::unique_ptr<State> state_;
};

// Author/committer of what a principal writes through the API (name, email or a no-reply one).
storage::git::Signature signature_of(const Principal& p);

// "<path> filter=lfs diff=lfs merge=lfs -text" with the path's glob characters escaped as
// `git lfs track` does (spaces as [[:space:]]), so the rule matches exactly that path.
std::string lfs_attribute_line(std::string_view path);

}  // namespace hub::services
