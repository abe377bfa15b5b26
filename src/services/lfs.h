// Git LFS use cases (HUB_API.md §7.2, §8): the batch API's per-object decisions, the signed
// hrefs that let clients move bytes without credentials, upload, verify, and the commit API's
// and web upload's use of objects. Which objects a repo may serve, and when an object gets
// linked to a repo, is decided in one place, lfs_access.h; here:
//   - a verified upload made with an href issued for a repo links it to that repo;
//   - an upload batch for an object already stored links it without an upload only when the
//     caller can already read it through another repo (cross-repo dedup); otherwise the client
//     must upload the bytes again (proof of possession: knowing an oid is not enough);
//   - verify succeeds only for an object whose bytes arrived through that repo (linked by its
//     upload, or a staged S3 upload it publishes now); a stored object that arrived elsewhere
//     is "Object does not exist" to it, as an absent one is.
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
#include "services/lfs_access.h"
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

// The verify action: the object's bytes must have arrived through repo_id with this size (its
// upload linked it), or be a staged presigned S3 upload, whose sha256 is checked and which is
// published and linked now. not_found "Object does not exist" otherwise (whether or not another
// repo holds it); corrupt on a size or hash mismatch of this repo's own object or upload.
Result<void> lfs_verify(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t size);

// ---- for the commit API (issue 4) and web uploads ----
// For the commit API's lfsFile lines: the object's size when oid may be committed to repo_id by
// p, having linked it there: it is linked already, p can read it through another repo, or its
// bytes were just uploaded (a staged presigned S3 upload, verified and published here). nullopt
// otherwise, alike for an absent object, another size and someone else's object. Without a size
// (copies) only the first two apply. invalid_argument for a bad oid.
Result<std::optional<uint64_t>> lfs_commit_object(Hub& hub, const Principal& p, int64_t repo_id,
                                                  std::string_view oid, std::optional<uint64_t> size);
// A web upload: stores the bytes (verified against oid) and links them to repo_id.
Result<void> lfs_put_object(Hub& hub, int64_t repo_id, std::string_view oid, std::string_view bytes);

}  // namespace hub::services
