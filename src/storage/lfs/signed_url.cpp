#include "storage/lfs/signed_url.h"

#include <charconv>

#include "core/hash.h"
#include "storage/lfs/oid.h"

namespace hub::storage::lfs {
namespace {

// Domain separation: the same server secret may sign other things.
constexpr std::string_view kMacContext = "hubd-lfs-url-v1\n";

std::string mac_of(std::string_view secret, std::string_view payload_b64) {
  std::string msg(kMacContext);
  msg += payload_b64;
  auto mac = hmac_sha256(secret, msg);
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

std::unexpected<Error> invalid() {
  return fail(Errc::unauthenticated, "invalid or tampered URL token", Detail::InvalidToken);
}

template <class T>
bool parse_int(std::string_view s, T& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::string sign_url_token(std::string_view secret, const UrlGrant& grant) {
  HUB_ASSERT(secret.size() >= kMinUrlSecretSize && "server secret is generated at install");
  HUB_ASSERT(is_valid_oid(grant.oid) && "callers sign validated oids");
  std::string payload = "v1 ";
  payload += grant.op == UrlOp::upload ? "upload" : "download";
  payload += " " + grant.oid + " " + std::to_string(grant.size) + " " +
             std::to_string(grant.expires_unix);
  std::string payload_b64 = base64url_encode(payload);
  return payload_b64 + "." + base64url_encode(mac_of(secret, payload_b64));
}

Result<UrlGrant> verify_url_token(std::string_view secret, std::string_view token,
                                  int64_t now_unix) {
  HUB_ASSERT(secret.size() >= kMinUrlSecretSize && "server secret is generated at install");
  if (token.size() > 512) return invalid();
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) return invalid();
  std::string_view payload_b64 = token.substr(0, dot);
  auto mac = base64url_decode(token.substr(dot + 1));
  // Compare MACs first and in constant time: nothing about the payload is trusted before.
  if (!mac || !constant_time_equal(*mac, mac_of(secret, payload_b64))) return invalid();
  // The MAC covers the base64 text; reject non-canonical encodings anyway so one grant has
  // exactly one token.
  auto payload = base64url_decode(payload_b64);
  if (!payload || base64url_encode(*payload) != payload_b64) return invalid();

  std::string_view rest = *payload;
  std::string_view parts[5];
  for (int i = 0; i < 5; ++i) {
    size_t sp = rest.find(' ');
    parts[i] = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    if (i < 4 && sp == std::string_view::npos) return invalid();
  }
  if (!rest.empty() || parts[0] != "v1") return invalid();
  UrlGrant g;
  if (parts[1] == "upload") g.op = UrlOp::upload;
  else if (parts[1] == "download") g.op = UrlOp::download;
  else return invalid();
  if (!is_valid_oid(parts[2])) return invalid();
  g.oid = std::string(parts[2]);
  if (!parse_int(parts[3], g.size) || !parse_int(parts[4], g.expires_unix)) return invalid();
  if (now_unix >= g.expires_unix)
    return fail(Errc::unauthenticated, "URL token expired", Detail::TokenExpired);
  return g;
}

Result<UrlGrant> verify_url_token_for(std::string_view secret, std::string_view token, UrlOp op,
                                      std::string_view oid, int64_t now_unix) {
  HUB_TRY(g, verify_url_token(secret, token, now_unix));
  if (g.op != op || g.oid != oid)
    return fail(Errc::forbidden, "URL token does not grant this operation on this object",
                Detail::TokenMismatch);
  return g;
}

}  // namespace hub::storage::lfs
