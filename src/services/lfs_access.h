// Which LFS objects a repo may serve: the one rule every read and every link of an object goes
// through (issue 14, finding 2). The blob store is shared by all repos (content-addressed, so an
// object is stored once), so knowing an oid must never be enough to read the bytes.
//
// The rule: an object is readable through a repo only when it is linked to that repo (table
// repo_lfs_objects). A link is made only when the actor showed it may have the bytes:
//   - lfs_link_upload: the bytes arrived through that repo (an upload href issued for it, a
//     staged S3 upload its verify or commit published, a web upload to it);
//   - lfs_link_for(p): p can already read the object through another repo (it is linked to a
//     repo p can read): LFS batch upload dedup, commit API lfsFile lines;
//   - lfs_link_pushed_pointers: pointers that a push, branch or squash added, linked only when
//     every writer of the repo could read the object elsewhere: it is linked to a public repo or
//     to a repo of the same namespace (writing a namespace's repos implies reading all of them,
//     auth.h). Other pointers stay dark until their bytes are uploaded to this repo.
// Nothing links an object because it is stored, or because no repo claims it (a deleted private
// repo's objects stay private).
//
// Every read of an object's bytes through a repo (resolve, LFS batch download, the web file and
// safetensors views, the metrics API and page, weight headers for the index, model files for
// inference) opens it with lfs_open_object / lfs_read_object / lfs_object_size. They answer the
// same not_found (kLfsNotStored) for an absent object, one not linked to the repo, and one whose
// stored size is not the pointer's (an LFS object is named by oid and size: another size is
// another, absent, object). So a pointer's claimed size is never used to size anything: what is
// read is bounded by the stored object, which is then known to equal the claim.
//
// The caller has already checked that the actor may read (or write) the repo it names.
// Thread-safe (stateless over Hub).
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
#include "storage/db/database.h"
#include "storage/lfs/blob_store.h"

namespace hub::services {

inline constexpr std::string_view kLfsNotStored = "The LFS object of this file is not stored on the server";

// ---- reads ----
// The stored size of the object a pointer in repo_id's tree names (== pointer_size), or
// not_found kLfsNotStored ("EntryNotFound").
Result<uint64_t> lfs_object_size(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t pointer_size);
// A reader of `range` of that object (a range the pointer's size allows). Same errors.
Result<std::unique_ptr<storage::lfs::BlobReader>> lfs_open_object(Hub& hub, int64_t repo_id, std::string_view oid,
                                                                  uint64_t pointer_size,
                                                                  storage::lfs::ByteRange range = {});
// The range read into memory; too_large when the (real) range exceeds max_bytes.
Result<std::string> lfs_read_object(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t pointer_size,
                                    storage::lfs::ByteRange range, size_t max_bytes);
Result<bool> lfs_repo_has_object(Hub& hub, int64_t repo_id, std::string_view oid);

// ---- links ----
// The bytes of oid (exactly `size` of them, verified) arrived through repo_id.
Result<void> lfs_link_upload(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t size);
// Whether p can read oid through some repo it is linked to (checks at most 50 linked repos).
Result<bool> lfs_readable_elsewhere(Hub& hub, const Principal& p, std::string_view oid);
// True (and linked) when oid is stored with `size` and either already linked to repo_id or
// readable by p through another repo. p has write access to repo_id (or opens a PR on it).
Result<bool> lfs_link_for(Hub& hub, const Principal& p, int64_t repo_id, std::string_view oid, uint64_t size);
// Called from on_refs_updated: finds the LFS pointers the updated refs' new commits added
// (storage/git/lfs_pointer.h, bounded to new commits) and links those the rule above allows.
void lfs_link_pushed_pointers(Hub& hub, const RepoHandle& repo, const std::vector<storage::db::RefUpdate>& updates);

// ---- upgrade ----
// Links, once, the objects that pointers in each pre-existing repo's refs name (migration 4
// queued every repo that existed when links were not yet checked on read; objects are linked
// when stored with the pointer's size). Under the old rules every such pointer was served, so
// this keeps existing repos working; a link to an object that a private repo of another
// namespace also holds is logged for the admin to review. Returns the repos done. Called at
// Hub::open; cheap once the queue is empty.
Result<size_t> lfs_backfill_links(Hub& hub);

}  // namespace hub::services
