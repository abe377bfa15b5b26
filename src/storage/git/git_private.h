// Private to storage/git: the only header that includes git2.h. RAII aliases for libgit2
// handles (unique_ptr + deleter), error conversion and oid helpers. Never include it from a
// public header of this folder; callers outside storage/git never see libgit2.
// Thread-safety: the helpers are stateless; libgit2's last-error is thread-local.
#pragma once

#include <git2.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hub::storage::git::detail {

template <class T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const noexcept { Free(p); }
};
template <class T, void (*Free)(T*)>
using GitPtr = std::unique_ptr<T, GitDeleter<T, Free>>;

using RepoPtr = GitPtr<git_repository, git_repository_free>;
using ObjectPtr = GitPtr<git_object, git_object_free>;
using CommitPtr = GitPtr<git_commit, git_commit_free>;
using TreePtr = GitPtr<git_tree, git_tree_free>;
using TreeEntryPtr = GitPtr<git_tree_entry, git_tree_entry_free>;
using BlobPtr = GitPtr<git_blob, git_blob_free>;
using RefPtr = GitPtr<git_reference, git_reference_free>;
using RefIterPtr = GitPtr<git_reference_iterator, git_reference_iterator_free>;
using RevwalkPtr = GitPtr<git_revwalk, git_revwalk_free>;
using SignaturePtr = GitPtr<git_signature, git_signature_free>;
using TreeBuilderPtr = GitPtr<git_treebuilder, git_treebuilder_free>;
using ConfigPtr = GitPtr<git_config, git_config_free>;
using OdbPtr = GitPtr<git_odb, git_odb_free>;
using TagPtr = GitPtr<git_tag, git_tag_free>;

// Initialises libgit2 once per process (thread-safe); every entry point calls it.
void ensure_libgit2();

// Converts a libgit2 return code plus its thread-local message into our Error.
// GIT_ENOTFOUND -> not_found (with `detail`), GIT_EEXISTS -> already_exists,
// GIT_EMODIFIED/GIT_ELOCKED -> conflict, GIT_EINVALIDSPEC -> invalid_argument, else internal.
Error make_git_error(int rc, std::string_view what, Detail detail = Detail::none);
inline std::unexpected<Error> git_fail(int rc, std::string_view what, Detail detail = Detail::none) {
  return std::unexpected(make_git_error(rc, what, detail));
}

std::string oid_hex(const git_oid& oid);
// Parses exactly 40 hex chars (either case). false otherwise.
bool parse_oid(std::string_view hex, git_oid* out);

}  // namespace hub::storage::git::detail
