// Xet CAS access tokens (XET.md §5.1): what `xet-read-token` / `xet-write-token` hand out and
// every CAS call carries as `Authorization: Bearer`. The CAS never sees a Hub token; a CAS token
// grants one operation (read or write) on one repo at one revision to one user, until it expires.
// Format: "xet1." base64url(payload) "." base64url(HMAC-SHA256(secret, context + payload_b64)),
// payload = lines "v1", op, repo type, repo id, rev, user, expiry. Verification checks the MAC in
// constant time before parsing anything, then the expiry. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hub::storage::xet {

enum class CasOp { read, write };

struct CasGrant {
  CasOp op = CasOp::read;
  std::string repo_type;  // "model", "dataset", "space"
  std::string repo_id;    // "ns/name"
  std::string rev;        // as the token endpoint resolved it (a branch, refs/pr/N, a commit)
  std::string user;       // who asked; empty for an anonymous read of a public repo
  int64_t expires_unix = 0;  // valid while now < expires_unix
};

inline constexpr size_t kMinCasSecretSize = 16;
inline constexpr size_t kMaxCasTokenSize = 2048;

// invalid_argument when a field holds a control character (they delimit the payload) or is too
// long for kMaxCasTokenSize. secret: ≥ kMinCasSecretSize bytes.
Result<std::string> sign_cas_token(std::string_view secret, const CasGrant& grant);

// unauthenticated: malformed or tampered ("InvalidToken"), or expired ("TokenExpired").
Result<CasGrant> verify_cas_token(std::string_view secret, std::string_view token, int64_t now_unix);

}  // namespace hub::storage::xet
