// CommitBuilder: makes a commit server-side, without a work tree, from a parent commit plus
// ordered operations (put file, put LFS pointer, delete file, delete folder), then moves a
// ref by compare-and-swap on the parent so a concurrent writer's commit is never lost.
// Operations apply eagerly to an in-memory tree that loads only the directories it touches;
// blobs are written as they are put; trees are written bottom-up once, at write() time, so a
// commit of N files costs O(N log N), not one index rewrite per file.
// Owns: the in-memory tree. Borrows: the Repo, which must outlive the builder.
// Thread-safety: single-threaded, like Repo.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/git/repo.h"
#include "storage/git/types.h"

namespace hub::storage::git {

struct CommitOptions {
  std::string summary;      // first line; required (invalid_argument if empty)
  std::string description;  // optional body; message = summary + "\n\n" + description
  Signature author;
  std::optional<Signature> committer;  // defaults to author
};

class CommitBuilder {
 public:
  // parent: 40-hex commit to build on (not_found "RevisionNotFound"), or "" for a root commit
  // starting from an empty tree.
  static Result<CommitBuilder> start(Repo& repo, std::string_view parent);

  CommitBuilder(CommitBuilder&&) noexcept;
  CommitBuilder& operator=(CommitBuilder&&) noexcept;
  ~CommitBuilder();

  // Paths follow validate_repo_path (paths.h): invalid_argument otherwise. Putting a file
  // where a folder is, or under a path whose prefix is a file, is invalid_argument.
  Result<void> put_file(std::string_view path, std::string_view content, bool executable = false);
  // Writes the canonical pointer text (core/lfs_pointer.h); sha256 must be 64 lowercase hex.
  Result<void> put_lfs_pointer(std::string_view path, std::string_view sha256, uint64_t size);
  // not_found "EntryNotFound" if no file is at path.
  Result<void> delete_file(std::string_view path);
  // A trailing '/' is allowed. not_found "EntryNotFound" if no folder is at path.
  Result<void> delete_folder(std::string_view path);
  // What is at path now (after the operations so far): nullopt if nothing.
  Result<std::optional<EntryType>> type_at(std::string_view path);

  const std::string& parent() const;
  size_t operation_count() const;

  // Writes the trees and the commit object; moves no ref. Returns the new commit id.
  // too_large "TreeTooLarge" if the tree would be beyond tree_limits() (tree_limits.h).
  Result<std::string> write(const CommitOptions& opts);
  // write(), then Repo::update_ref_cas(refname, new id, parent()): conflict if refname no
  // longer points at the parent (for "" parent: if refname exists). Returns the new id.
  Result<std::string> commit_to(std::string_view refname, const CommitOptions& opts);

 private:
  struct State;
  explicit CommitBuilder(std::unique_ptr<State> s);
  std::unique_ptr<State> state_;
};

// A root commit (no parent) with exactly the tree of `commit` (40-hex): every entry kept as it
// is, modes included (executables, symlinks, LFS pointers, submodules). For super-squash; it
// reads no file, so its cost does not grow with the tree. Moves no ref.
Result<std::string> write_root_commit_with_tree_of(Repo& repo, std::string_view commit, const CommitOptions& opts);

}  // namespace hub::storage::git
