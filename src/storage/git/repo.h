// Repo: one bare git repository on disk (RAII over libgit2's git_repository, behind a pimpl).
// Owns the handle; reads (revisions, refs, trees, blobs, history) and ref writes
// (branches, tags, compare-and-swap). New commits are built by CommitBuilder (commit_builder.h).
// Thread-safety: a Repo is NOT safe for concurrent use; open one per task/thread (opening is
// cheap). Different Repo objects on the same path may be used concurrently, including against
// a running `git receive-pack`: every ref update is a locked compare-and-swap.
// Errors: not_found carries detail "RevisionNotFound" (revisions, refs) or "EntryNotFound" (paths).
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/git/gitattributes.h"
#include "storage/git/types.h"

namespace hub::storage::git {

struct RepoInitOptions {
  Signature author{"hubd", "hubd@localhost", 0};  // author and committer of the initial commit
  std::string initial_message = "initial commit";
  std::string gitattributes = default_gitattributes();  // content of the initial .gitattributes
  // More top-level files of the initial commit (path without '/', content), e.g. the JS
  // client's createRepo({files}); a ".gitattributes" here replaces `gitattributes`.
  std::vector<std::pair<std::string, std::string>> files;
  bool initial_commit = true;                           // false: empty repo, HEAD unborn
};

class Repo {
 public:
  // Creates a bare repository at `path` (parents created) with HEAD -> refs/heads/main and,
  // unless disabled, one commit on main holding only .gitattributes. The repository is built
  // in a sibling temp dir and renamed into place, so nobody sees a half-made one.
  // already_exists if `path` exists and is not an empty directory.
  static Result<Repo> init_bare(const std::string& path, const RepoInitOptions& opts = {});
  // Opens an existing repository (bare or not) at exactly `path`; not_found otherwise.
  static Result<Repo> open(const std::string& path);

  Repo(Repo&&) noexcept;
  Repo& operator=(Repo&&) noexcept;
  ~Repo();

  const std::string& path() const { return path_; }

  // ---- revisions and refs (repo.cpp) ----
  // rev -> 40-hex commit id. Accepts, in this order: "HEAD"; a full ref name ("refs/heads/x",
  // "refs/tags/x", "refs/pr/N", "refs/convert/x", any refs/...); a 40-hex id; a branch name;
  // a tag name (annotated tags peeled); a unique hex prefix of >= 7 chars. No revparse syntax
  // ("main~1", "@{u}") is accepted. Errors: not_found "RevisionNotFound" (also when a prefix is
  // ambiguous; the message says so).
  Result<std::string> resolve_revision(std::string_view rev) const;
  // Short name of the branch HEAD points to ("main"), even if it has no commit yet.
  Result<std::string> default_branch() const;
  Result<RefList> list_refs() const;
  // Details of one commit (id must be a 40-hex commit id).
  Result<CommitInfo> commit_info(std::string_view commit) const;

  // ---- trees and blobs (tree_read.cpp) ----
  // `commit` is a 40-hex commit id (resolve first). `path` "" or "/" is the root.
  // Non-recursive: the children of `path`; recursive: every descendant, directories included,
  // depth-first, each directory before its contents, git's name order within a directory.
  // not_found "EntryNotFound" if `path` is missing or names a file. Submodule entries are
  // skipped. Bounded by tree_limits() (tree_limits.h): too_large "TreeTooLarge" when the walk
  // passes max_entries entries, nests deeper than max_depth, or meets an oversized folder.
  Result<std::vector<TreeEntry>> list_tree(std::string_view commit, std::string_view path,
                                           bool recursive) const;
  // list_tree, one page at a time: the entries after the first `offset` (in the same order), at
  // most `limit` of them; `more` when entries follow. Only the returned entries' blobs are
  // read. The same bounds apply to everything walked, skipped entries included.
  struct TreePage {
    std::vector<TreeEntry> entries;
    bool more = false;
  };
  Result<TreePage> list_tree_page(std::string_view commit, std::string_view path, bool recursive,
                                  size_t offset, size_t limit) const;
  // The entry at `path` ("" = root directory). not_found "EntryNotFound" if missing.
  Result<TreeEntry> stat_path(std::string_view commit, std::string_view path) const;
  // Whole content of the file at `path` (for LFS files: the pointer text). too_large if the blob
  // exceeds max_bytes, not_found "EntryNotFound" if missing or a directory. For blobs above your
  // memory cap, stream them with BlobStream (blob_stream.h) using stat_path(...).oid instead.
  Result<std::string> read_blob(std::string_view commit, std::string_view path,
                                size_t max_bytes) const;
  Result<std::string> read_blob_oid(std::string_view blob_oid, size_t max_bytes) const;

  // Whether git would store `path` through LFS at `commit`: its "filter" attribute is "lfs"
  // per the .gitattributes files in that commit's tree (root and nested), git's own matching.
  // For the commit API's "add a rule if none matches" and preupload's uploadMode.
  Result<bool> is_lfs_tracked(std::string_view commit, std::string_view path) const;

  // ---- history (history.cpp) ----
  // Commits reachable from `commit`, newest first (commit time), skipping `skip`, at most
  // `limit`. With `path`, only commits whose first-parent diff touches path (file or folder).
  // total counts all matching commits (walks the whole history).
  Result<LogPage> log(std::string_view commit, size_t skip, size_t limit,
                      std::string_view path = {}) const;
  // For each path (file or folder), the newest commit at or before `commit` that changed it
  // (compared against its first parent); nullopt if not found within max_walk commits or the
  // path does not exist. One history walk serves all paths.
  Result<std::vector<std::optional<CommitInfo>>> last_commits_for_paths(
      std::string_view commit, const std::vector<std::string>& paths,
      size_t max_walk = 10000) const;

  // ---- ref writes (refs_write.cpp) ----
  // Branch and tag names are short names ("dev", "v1.0"): valid git ref names that do not
  // start with "refs/", are not "HEAD" and not 40-hex. invalid_argument otherwise.
  // Targets are 40-hex commit ids (not_found "RevisionNotFound" if missing).
  Result<void> create_branch(std::string_view name, std::string_view target);  // already_exists
  Result<void> delete_branch(std::string_view name);  // not_found; invalid_argument for HEAD's
  // Annotated (tag object) when message is non-empty, else lightweight.
  Result<void> create_tag(std::string_view name, std::string_view target,
                          std::string_view message = {}, const Signature& tagger = {});
  Result<void> delete_tag(std::string_view name);  // not_found "RevisionNotFound"
  // Compare-and-swap on any full ref name (e.g. "refs/heads/main", "refs/pr/3"):
  // sets refname to new_oid only if it currently points at expected_old. expected_old ""
  // means "must not exist yet"; new_oid "" deletes it. conflict if the ref moved (or exists /
  // vanished), not_found "RevisionNotFound" if new_oid is not a commit in this repo.
  Result<void> update_ref_cas(std::string_view refname, std::string_view new_oid,
                              std::string_view expected_old,
                              std::string_view log_message = "hubd: update ref");

  // For storage/git internals (CommitBuilder, BlobStream).
  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  Repo(std::unique_ptr<Impl> impl, std::string path);
  std::unique_ptr<Impl> impl_;
  std::string path_;
};

// Short-name rules for branches and tags (see Repo::create_branch). Exposed for the API layer
// to answer 400 before touching the repository.
bool is_valid_branch_name(std::string_view name);
bool is_valid_tag_name(std::string_view name);

}  // namespace hub::storage::git
