// Xet storage use cases (issue 16; protocol: shared/docs/XET.md): token issue, the CAS's xorb
// and shard uploads, dedup queries, reconstruction plans, and the signed transfer URLs for xorb
// bytes. Formats and hashes are storage/xet's; rows are storage/db's (xet_types.h); bodies live
// on the blob store, keyed by sha256 like LFS objects.
//
// Access (the rule of issue 14, services/lfs_access.h, applied to Xet objects): a xorb or file
// is usable through a repo only when linked to it. Links are made by an upload through the repo
// (a xorb POSTed, a shard's files registered, with a write token for it). A shard may name a xorb
// linked to the token's repo, or one the uploader can read through another repo it is linked to
// (and must prove the chunk hashes by the verification entries). Dedup answers offer only such
// xorbs. Reconstructions are served only for files linked to the token's repo.
//
// Tokens: the CAS never sees a Hub token. xet-write-token needs write access to the repo (or
// contribute rights with create_pr=1), xet-read-token read access; both decided by one call of
// open_repo (services/repos.h), so its rules (gated repos included) apply unchanged. A token is
// storage/xet cas_token: signed with a key derived from the hub secret, scoped to one repo and
// operation, valid kXetTokenTtlSeconds. Thread-safe (stateless over Hub).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/auth.h"
#include "services/hub.h"
#include "services/repos.h"
#include "storage/xet/cas_token.h"
#include "storage/xet/reconstruction.h"
#include "storage/xet/records.h"

namespace hub::services {

inline constexpr std::string_view kXetCasPrefix = "/xet-cas";  // casUrl = public base URL + this
inline constexpr int64_t kXetTokenTtlSeconds = 900;
inline constexpr int64_t kXetFetchUrlTtlSeconds = 3600;
inline constexpr size_t kXetMaxShardUpload = size_t(64) << 20;
inline constexpr size_t kXetMaxXorbUpload = (size_t(64) << 20) + (size_t(1) << 20);  // + an old footer

struct XetToken {
  std::string access_token;
  int64_t exp = 0;
  std::string cas_url;
};

// GET /api/{type}s/{ns}/{name}/xet-{read,write}-token/{rev}[?create_pr=1]. Errors as open_repo.
Result<XetToken> xet_issue_token(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                                 std::string_view name, storage::xet::CasOp op, bool create_pr, std::string_view rev,
                                 std::string_view base_url, int64_t now_unix);

// Who a CAS call acts for: the token's grant, the repo it names, and the user (none when the
// read token was issued anonymously).
struct XetCaller {
  storage::xet::CasGrant grant;
  storage::db::RepoRow repo;
  Principal principal;  // account set for a signed-in user; anonymous otherwise
  int64_t user_id() const { return principal.account ? principal.account->id : 0; }
};

// From the CAS request's Authorization header: unauthenticated when missing, malformed,
// tampered or expired, or when its repo is gone; forbidden when a read token is used to write.
Result<XetCaller> xet_authorize(Hub& hub, std::optional<std::string_view> authorization, storage::xet::CasOp need,
                                int64_t now_unix);

// POST /v1/xorbs/default/{hash}: validates the whole body (every chunk decodes, the merkle hash of
// its chunks is `hash_xhex`), stores it (footer stripped) and its chunk index, links it to the
// caller's repo. true when newly stored. invalid_argument/InvalidXorb for a bad name;
// corrupt/InvalidXorb for a bad body or a hash mismatch; too_large/XorbTooLarge.
Result<bool> xet_put_xorb(Hub& hub, const XetCaller& c, std::string_view hash_xhex, std::span<const uint8_t> body,
                          int64_t now_unix);

// POST /v1/shards: parses, checks every xorb it names is usable by the caller (XorbNotFound
// otherwise: absent and not-yours look the same), verifies every file's terms
// (storage/xet/shard_check.h), stores the body, then registers files, links and dedup entries
// in one transaction. true when this shard is new (the v1 reply's result 1).
Result<bool> xet_put_shard(Hub& hub, const XetCaller& c, std::span<const uint8_t> body, int64_t now_unix);

// GET /v1/chunks/{default,default-merkledb}/{chunk}: the dedup reply shard (HMAC-keyed chunk
// hashes) offering the xorbs holding this eligible chunk that the caller may use, or nullopt
// (404). invalid_argument for a malformed hash.
Result<std::optional<std::vector<uint8_t>>> xet_dedup_query(Hub& hub, const XetCaller& c, std::string_view chunk_xhex,
                                                            int64_t now_unix);

// The reconstruction plan of a file linked to the caller's repo (not_found otherwise, alike for
// absent and not-yours), for an optional byte range (invalid_argument/RangeNotSatisfiable when it
// starts at or past the end).
Result<storage::xet::ReconstructionPlan> xet_plan(Hub& hub, const XetCaller& c, std::string_view file_xhex,
                                                  std::optional<storage::xet::RangeRequest> range);

// The plan of a registered file, without access checks (callers checked the repo link); the
// xorbs' layouts it used, when asked.
Result<storage::xet::ReconstructionPlan> xet_plan_file(
    Hub& hub, const storage::db::XetFileRow& file, std::optional<storage::xet::RangeRequest> range,
    std::map<storage::xet::MerkleHash, storage::xet::XorbLayout>* layouts_out = nullptr);

// Signed transfer URLs for xorb bytes [first, last] (inclusive), fetched without credentials:
// {cas}/v1/xorb-data/{xorb}?range=a-b&exp=E&sig=S.
std::string xet_fetch_url(Hub& hub, std::string_view cas_url, const storage::xet::MerkleHash& xorb, uint64_t first,
                          uint64_t last, int64_t exp_unix);
struct XetFetchGrant {
  std::string xorb_xhex;
  std::string sha256;  // the blob-store object
  uint64_t first = 0, last = 0;
  uint64_t size = 0;   // of the stored xorb
};
// forbidden (TokenMismatch / TokenExpired) unless the query was signed by xet_fetch_url and has
// not expired.
Result<XetFetchGrant> xet_check_fetch(Hub& hub, std::string_view xorb_xhex, std::string_view range,
                                      std::string_view exp, std::string_view sig, int64_t now_unix);

// ---- Hub integration (commit by sha256, resolve, tree listings) ----
// The newest Xet file with this sha256 registered through repo_id, if any.
Result<std::optional<storage::db::XetFileRow>> xet_file_for_sha256(Hub& hub, int64_t repo_id, std::string_view sha256);

// A reader of bytes [first, first+length) of a Xet file (decompressing its chunks from the
// stored xorbs): the "bridge" for clients without Xet. `read` fills buf, 0 at the end.
using XetByteReader = std::function<Result<size_t>(char* buf, size_t cap)>;
Result<XetByteReader> xet_open_file(Hub& hub, const storage::db::XetFileRow& file, uint64_t first, uint64_t length);

}  // namespace hub::services
