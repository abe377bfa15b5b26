#include "services/auth.h"

#include <argon2.h>

#include <cstring>
#include <stdexcept>

#include "core/hash.h"
#include "core/time.h"

namespace hub::services {

using storage::db::Account;
using storage::db::AccountKind;

std::string hash_password(std::string_view password) {
  // OWASP's argon2id minimum: m=19 MiB, t=2, p=1.
  constexpr uint32_t t_cost = 2, m_cost = 19 * 1024, parallelism = 1;
  std::string salt = random_bytes(16);
  size_t len = argon2_encodedlen(t_cost, m_cost, parallelism, uint32_t(salt.size()), 32, Argon2_id);
  std::string out(len, '\0');
  int rc = argon2id_hash_encoded(t_cost, m_cost, parallelism, password.data(), password.size(), salt.data(),
                                 salt.size(), 32, out.data(), out.size());
  if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2: ") + argon2_error_message(rc));
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool verify_password(std::string_view encoded, std::string_view password) {
  if (encoded.empty()) return false;
  std::string enc(encoded);
  return argon2id_verify(enc.c_str(), password.data(), password.size()) == ARGON2_OK;
}

bool verify_password_constant_cost(const std::string* encoded, std::string_view password) {
  // Made once, with hash_password's parameters, from a password nobody knows.
  static const std::string dummy = hash_password(hex_encode(random_bytes(16)));
  if (encoded && !encoded->empty()) return verify_password(*encoded, password);
  (void)verify_password(dummy, password);
  return false;
}

Result<void> require_write_scope(const Principal& p) {
  if (p.anonymous()) return fail(Errc::unauthenticated, "Authentication required");
  if (!p.can_write_scope()) return fail(Errc::forbidden, std::string(kReadOnlyTokenMessage));
  return {};
}

bool csrf_token_matches(const Principal& p, std::string_view sent) {
  if (p.kind != AuthKind::session || p.csrf.empty() || sent.size() != p.csrf.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < sent.size(); ++i) diff |= static_cast<unsigned char>(sent[i] ^ p.csrf[i]);
  return diff == 0;
}

std::string new_token_secret() {
  return "hf_" + random_token(34, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
}

std::string token_hash(std::string_view secret) { return sha256_hex(secret); }

namespace {
Result<Principal> from_token(Hub& hub, std::string_view secret) {
  auto t = hub.db().token_by_hash(token_hash(secret));
  if (!t) {
    if (t.error().code == Errc::not_found)
      return fail(Errc::unauthenticated, "Invalid credentials in Authorization header");
    return std::unexpected(t.error());
  }
  auto a = hub.db().account_by_id(t->account_id);
  if (!a) return fail(Errc::unauthenticated, "Invalid credentials in Authorization header");
  // last_used_at is informational; at most one write a minute per token.
  int64_t now = now_ms();
  if (now - t->last_used_at > 60'000) (void)hub.db().touch_token(t->id, now);
  Principal p;
  p.kind = AuthKind::token;
  p.account = std::move(*a);
  p.token = std::move(*t);
  return p;
}
}  // namespace

Result<Principal> authenticate(Hub& hub, const Credentials& creds) {
  if (creds.authorization && !creds.authorization->empty()) {
    std::string_view h = *creds.authorization;
    auto starts_ci = [&](std::string_view pre) {
      if (h.size() < pre.size()) return false;
      for (size_t i = 0; i < pre.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(h[i])) != std::tolower(static_cast<unsigned char>(pre[i])))
          return false;
      return true;
    };
    if (starts_ci("Bearer ")) {
      std::string_view tok = h.substr(7);
      while (!tok.empty() && tok.front() == ' ') tok.remove_prefix(1);
      while (!tok.empty() && tok.back() == ' ') tok.remove_suffix(1);
      return from_token(hub, tok);
    }
    if (starts_ci("Basic ")) {
      auto decoded = base64_decode(h.substr(6));
      if (!decoded) return fail(Errc::unauthenticated, "Malformed Basic credentials");
      size_t colon = decoded->find(':');
      if (colon == std::string::npos) return fail(Errc::unauthenticated, "Malformed Basic credentials");
      std::string_view secret = std::string_view(*decoded).substr(colon + 1);
      // git credential helpers store any user name with a token as the password.
      if (secret.starts_with("hf_")) return from_token(hub, secret);
      // Passwords only at the web log-in: here they would be an unthrottled argon2 oracle.
      return fail(Errc::unauthenticated,
                  "Password authentication is not supported for git or the API: use an access token "
                  "(create one at /settings/tokens) as the password");
    }
    return fail(Errc::unauthenticated, "Unsupported Authorization scheme");
  }
  if (!creds.session_cookie.empty()) {
    auto s = hub.db().session_by_hash(sha256_hex(creds.session_cookie));
    if (s && s->expires_at > now_ms()) {
      auto a = hub.db().account_by_id(s->account_id);
      if (a) {
        Principal p;
        p.kind = AuthKind::session;
        p.account = std::move(*a);
        p.csrf = s->csrf;
        return p;
      }
    }
    // A stale cookie is not an error: the visitor is simply logged out.
  }
  return Principal{};
}

namespace {
// The role the account has in the repo's namespace: "owner", an org role, or "".
std::string namespace_role(Hub& hub, const Account& a, std::string_view ns) {
  std::string_view name = a.name;
  if (name.size() == ns.size()) {
    bool same = true;
    for (size_t i = 0; i < ns.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(name[i])) != std::tolower(static_cast<unsigned char>(ns[i])))
        same = false;
    if (same) return "owner";
  }
  auto org = hub.db().account_by_name(ns);
  if (!org || org->kind != AccountKind::org) return "";
  auto role = hub.db().member_role(org->id, a.id);
  return role ? *role : "";
}
}  // namespace

bool is_repo_member(Hub& hub, const Principal& p, const storage::db::RepoRow& repo) {
  if (!p.account) return false;
  if (p.account->is_admin) return true;
  return !namespace_role(hub, *p.account, repo.ns).empty();
}

bool can_read(Hub& hub, const Principal& p, const storage::db::RepoRow& repo) {
  if (!repo.is_private) return true;
  return is_repo_member(hub, p, repo);
}

bool can_write(Hub& hub, const Principal& p, const storage::db::RepoRow& repo) {
  return can_write_namespace(hub, p, repo.ns);
}

bool can_write_namespace(Hub& hub, const Principal& p, std::string_view ns) {
  if (!p.can_write_scope()) return false;
  if (p.account->is_admin) return true;
  std::string role = namespace_role(hub, *p.account, ns);
  return role == "owner" || role == "admin" || role == "write";
}

}  // namespace hub::services
