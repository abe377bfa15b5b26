// Self-authorizing URL tokens for the local store's LFS hrefs (HUB_API.md §7.2: Python and JS
// PUT the upload href with no Authorization header, so the URL itself must carry the grant).
// A token binds (operation, oid, size, expiry) with HMAC-SHA256 under a server secret:
//   base64url("v1 <upload|download> <oid> <size> <expires_unix>") "." base64url(mac)
// Verification checks the MAC in constant time before parsing anything, then the expiry.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hub::storage::lfs {

enum class UrlOp { upload, download };

struct UrlGrant {
  UrlOp op = UrlOp::download;
  std::string oid;
  uint64_t size = 0;
  int64_t expires_unix = 0;  // seconds; valid while now < expires_unix
};

inline constexpr size_t kMinUrlSecretSize = 16;

// secret: at least kMinUrlSecretSize bytes (random_bytes(32) at install). The grant's oid must be
// valid (checked by the caller that chose it).
std::string sign_url_token(std::string_view secret, const UrlGrant& grant);

// unauthenticated: malformed or tampered ("InvalidToken"), or expired ("TokenExpired").
Result<UrlGrant> verify_url_token(std::string_view secret, std::string_view token, int64_t now_unix);

// As above, and forbidden ("TokenMismatch") unless the token grants exactly op on oid.
Result<UrlGrant> verify_url_token_for(std::string_view secret, std::string_view token, UrlOp op,
                                      std::string_view oid, int64_t now_unix);

}  // namespace hub::storage::lfs
