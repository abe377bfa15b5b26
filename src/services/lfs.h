// Git LFS use cases (HUB_API.md §7.2, §8): the batch API's per-object decisions, the signed
// hrefs that let clients move bytes without credentials, verify, and which objects a repo may
// serve. The blob store is shared by all repos (content-addressed, so an object is stored once),
// but an object is readable through a repo only when linked to it (table repo_lfs_objects):
//   - a verified upload made with an href issued for that repo links it;
//   - an upload batch for an object already stored links it without an upload only when the
//     caller can already read it through another repo (cross-repo dedup); otherwise the client
//     must upload the bytes again (proof of possession: knowing an oid is not enough);
//   - pointers added by pushed/committed commits link objects that are stored and already
//     public, in the same namespace, or claimed by no repo (lfs_link_pushed_pointers).
// Hrefs served by hubd carry a token (storage/lfs/signed_url.h) signed with a per-repo key
// derived from the hub secret, so the href names its repo and cannot be moved to another.
// Thread-safe (stateless over Hub).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "services/auth.h"
#include "services/hub.h"
#include "services/repos.h"
#include "storage/db/database.h"
#include "storage/lfs/blob_store.h"
#include "storage/lfs/signed_url.h"

namespace hub::services {

enum class LfsOp { upload, download };

inline constexpr int64_t kLfsHrefTtlSeconds = 3600;
inline constexpr size_t kLfsMaxBatchObjects = 1000;

struct LfsObjectRequest {
  std::string oid;   // as sent; validated here (per-object 422)
  int64_t size = 0;  // as sent; negative -> 422
};

struct LfsAction {
  std::string href;
  std::vector<std::pair<std::string, std::string>> header;
  int64_t expires_in = 0;  // seconds; 0 = omit
};

struct LfsObjectResult {
  std::string oid;
  int64_t size = 0;
  std::optional<LfsAction> upload, verify, download;
  int error_code = 0;  // 0 = no error; else 404 / 422 with error_message
  std::string error_message;
};

// Where hubd is reached: base_url ("http://host:port") and the repo's LFS root
// ("{base}/[datasets/|spaces/]{ns}/{name}.git/info/lfs").
struct LfsEndpoints {
  std::string base_url;
  std::string lfs_url;
};

// One batch. The caller (api) has opened `repo` with read access for download and write access
// for upload. Per-object problems are in the results; errors are store/db failures.
Result<std::vector<LfsObjectResult>> lfs_batch(Hub& hub, const Principal& p, const RepoHandle& repo, LfsOp op,
                                               std::span<const LfsObjectRequest> objects, const LfsEndpoints& at,
                                               int64_t now_unix);

// ---- hrefs served by hubd: PUT/GET {base}/api/lfs-objects/{oid}?repo=ID&token=T, verify?token=T ----
struct LfsGrant {
  int64_t repo_id = 0;
  std::string oid;
  uint64_t size = 0;
};
std::string lfs_object_href(Hub& hub, std::string_view base_url, storage::lfs::UrlOp op, int64_t repo_id,
                            std::string_view oid, uint64_t size, int64_t expires_unix);
// unauthenticated ("InvalidToken"/"TokenExpired") or forbidden ("TokenMismatch"); the repo
// parameter must be the decimal id the token was signed for.
Result<LfsGrant> lfs_check_token(Hub& hub, storage::lfs::UrlOp op, std::string_view oid, std::string_view repo_param,
                                 std::string_view token, int64_t now_unix);

// Streams an upload for a checked grant into the store: `read` fills a buffer, 0 at the end.
// Nothing becomes visible unless exactly grant.size bytes hashing to grant.oid arrived
// (corrupt "SizeMismatch"/"HashMismatch", too_large past the size, io if the body broke off).
// On success the object is linked to the grant's repo.
using LfsBodyReader = std::function<Result<size_t>(char* buf, size_t cap)>;
Result<void> lfs_receive_upload(Hub& hub, const LfsGrant& grant, const LfsBodyReader& read);

// The verify action: the object must now be stored with this size (S3: publishes the presigned
// upload after checking its sha256). not_found if nothing arrived; corrupt on mismatch; then
// links it to the repo.
Result<void> lfs_verify(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t size);

// ---- for the commit API (issue 4) and pushes ----
// Whether the store holds oid with exactly this size. A staged presigned S3 upload (JS never
// calls verify) is verified and published here. invalid_argument for a bad oid.
Result<bool> lfs_object_exists(Hub& hub, std::string_view oid, uint64_t size);
// Records that the repo may serve oid (the commit API calls it after lfs_object_exists for
// objects its caller uploaded). Idempotent.
Result<void> lfs_link_object(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t size);
Result<bool> lfs_repo_has_object(Hub& hub, int64_t repo_id, std::string_view oid);
// For the commit API's lfsFile lines: true (and linked to the repo) when oid with this size may
// be committed there by p: it is linked to the repo already, its bytes were just uploaded (a
// staged presigned S3 upload, verified and published here), or p can read it through another
// repo (or no repo claims it). false: not uploaded, another size, or someone else's object.
Result<bool> lfs_commit_object(Hub& hub, const Principal& p, int64_t repo_id, std::string_view oid, uint64_t size);

// Called from on_refs_updated: finds the LFS pointers the updated refs' new commits added
// (storage/git/lfs_pointer.h, bounded to new commits) and links the eligible ones (see top).
void lfs_link_pushed_pointers(Hub& hub, const RepoHandle& repo, const std::vector<storage::db::RefUpdate>& updates);

}  // namespace hub::services
