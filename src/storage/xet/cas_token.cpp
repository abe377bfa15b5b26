#include "storage/xet/cas_token.h"

#include <charconv>

#include "core/hash.h"

namespace hub::storage::xet {
namespace {

// Domain separation: the server secret also signs LFS URL tokens (storage/lfs/signed_url.h).
constexpr std::string_view kMacContext = "hubd-xet-cas-token-v1\n";
constexpr std::string_view kPrefix = "xet1.";
constexpr int kFields = 7;

std::string mac_of(std::string_view secret, std::string_view payload_b64) {
  std::string msg(kMacContext);
  msg += payload_b64;
  auto mac = hmac_sha256(secret, msg);
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

std::unexpected<Error> invalid() {
  return fail(Errc::unauthenticated, "invalid or tampered Xet token", "InvalidToken");
}

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

bool parse_int(std::string_view s, int64_t& out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<std::string> sign_cas_token(std::string_view secret, const CasGrant& g) {
  HUB_ASSERT(secret.size() >= kMinCasSecretSize && "server secret is generated at install");
  for (std::string_view f : {std::string_view(g.repo_type), std::string_view(g.repo_id), std::string_view(g.rev),
                             std::string_view(g.user)})
    if (has_control(f)) return fail(Errc::invalid_argument, "control character in a Xet token field");
  if (g.repo_type.empty() || g.repo_id.empty() || g.rev.empty() || g.expires_unix <= 0)
    return fail(Errc::invalid_argument, "incomplete Xet token grant");
  std::string payload = "v1\n";
  payload += g.op == CasOp::write ? "write" : "read";
  payload += "\n" + g.repo_type + "\n" + g.repo_id + "\n" + g.rev + "\n" + g.user + "\n" + std::to_string(g.expires_unix);
  std::string payload_b64 = base64url_encode(payload);
  std::string token = std::string(kPrefix) + payload_b64 + "." + base64url_encode(mac_of(secret, payload_b64));
  if (token.size() > kMaxCasTokenSize) return fail(Errc::invalid_argument, "Xet token grant too long");
  return token;
}

Result<CasGrant> verify_cas_token(std::string_view secret, std::string_view token, int64_t now_unix) {
  HUB_ASSERT(secret.size() >= kMinCasSecretSize && "server secret is generated at install");
  if (token.size() > kMaxCasTokenSize || !token.starts_with(kPrefix)) return invalid();
  token.remove_prefix(kPrefix.size());
  size_t dot = token.find('.');
  if (dot == std::string_view::npos) return invalid();
  std::string_view payload_b64 = token.substr(0, dot);
  std::string_view mac_b64 = token.substr(dot + 1);
  auto mac = base64url_decode(mac_b64);
  // Compare MACs first and in constant time: nothing about the payload is trusted before.
  if (!mac || !constant_time_equal(*mac, mac_of(secret, payload_b64))) return invalid();
  // Canonical encodings only (the last base64 digit has spare bits), so one grant has exactly
  // one token.
  if (base64url_encode(*mac) != mac_b64) return invalid();
  auto payload = base64url_decode(payload_b64);
  if (!payload || base64url_encode(*payload) != payload_b64) return invalid();

  std::string_view rest = *payload;
  std::string_view f[kFields];
  for (int i = 0; i < kFields; ++i) {
    size_t nl = rest.find('\n');
    if ((i < kFields - 1) == (nl == std::string_view::npos)) return invalid();
    f[i] = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  if (f[0] != "v1") return invalid();
  CasGrant g;
  if (f[1] == "read") g.op = CasOp::read;
  else if (f[1] == "write") g.op = CasOp::write;
  else return invalid();
  g.repo_type = f[2];
  g.repo_id = f[3];
  g.rev = f[4];
  g.user = f[5];
  if (!parse_int(f[6], g.expires_unix)) return invalid();
  if (now_unix >= g.expires_unix) return fail(Errc::unauthenticated, "Xet token expired", "TokenExpired");
  return g;
}

}  // namespace hub::storage::xet
