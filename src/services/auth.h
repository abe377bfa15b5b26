// Authentication and permissions. A request's credentials (Bearer token, Basic user:token as
// git sends it, or a web session cookie) become a Principal; the permission checks on repos
// and the write-scope rule are here and nowhere else. Passwords are argon2id and only the web
// log-in takes them (services/accounts login, throttled): git and the API take tokens, as the
// Hub has since 2023, so no request can make the server run argon2 unthrottled. Tokens are
// "hf_" + 34 random letters, stored as sha256 (they carry 200 bits of entropy, so a fast hash
// is the right tool). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "services/hub.h"
#include "storage/db/database.h"

namespace hub::services {

enum class AuthKind { anonymous, token, session };

struct Principal {
  AuthKind kind = AuthKind::anonymous;
  std::optional<storage::db::Account> account;
  std::optional<storage::db::Token> token;  // set when kind == token
  std::string csrf;                         // set when kind == session

  bool anonymous() const { return !account.has_value(); }
  // Whether these credentials may write at all (a read token may not).
  bool can_write_scope() const { return account && (kind != AuthKind::token || (token && token->role == "write")); }
};

// The one write-scope rule (issue 14 #7): every use case that changes state asks it, whatever
// it changes (a repo, a like, a pull request, a token). Anonymous: unauthenticated; a read
// token: forbidden, with a message that says so. Read tokens read, nothing else, as on the Hub.
Result<void> require_write_scope(const Principal& p);
inline constexpr std::string_view kReadOnlyTokenMessage =
    "This token is read-only: use an access token with the write role";

struct Credentials {
  std::optional<std::string_view> authorization;  // the Authorization header
  std::string session_cookie;                     // value of the session cookie, if any
};

// Anonymous when no credentials are given; unauthenticated error when they are wrong
// (a wrong token is never silently treated as anonymous). Basic user:password is refused with
// a message saying to use a token as the password, without looking at the password.
Result<Principal> authenticate(Hub& hub, const Credentials& creds);

// Session CSRF proof (issue 14 #10): `sent` (the X-CSRF-Token header) equals the session's
// token. Constant time; false for a principal without a session.
bool csrf_token_matches(const Principal& p, std::string_view sent);

std::string hash_password(std::string_view password);
bool verify_password(std::string_view encoded, std::string_view password);
// Checks `password` against `encoded`, or, when there is no hash to check (no such user, an
// organisation), against a fixed dummy hash with the same argon2 cost and answers false: a
// failed log-in costs the same whether or not the user exists.
bool verify_password_constant_cost(const std::string* encoded, std::string_view password);
std::string new_token_secret();                      // "hf_" + 34 letters
std::string token_hash(std::string_view secret);      // sha256 hex

// Repo permissions. Private repos are readable by their owner, the owner org's members and
// admins; writable by the owner, org members with write/admin role, and admins, and only with
// write-scoped credentials (require_write_scope).
bool can_read(Hub& hub, const Principal& p, const storage::db::RepoRow& repo);
bool can_write(Hub& hub, const Principal& p, const storage::db::RepoRow& repo);
// Is p the repo's owner, a member of the owning org (any role) or an admin? (Such users read a
// private repo and a gated repo's files without a request.)
bool is_repo_member(Hub& hub, const Principal& p, const storage::db::RepoRow& repo);
// May p create or move repos into namespace ns?
bool can_write_namespace(Hub& hub, const Principal& p, std::string_view ns);

}  // namespace hub::services
