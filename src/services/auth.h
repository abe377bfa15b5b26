// Authentication and permissions. A request's credentials (Bearer token, Basic user:token
// or user:password as git sends them, or a web session cookie) become a Principal; the
// permission checks on repos are here and nowhere else. Passwords are argon2id; tokens are
// "hf_" + 34 random letters, stored as sha256 (they carry 200 bits of entropy, so a fast
// hash is the right tool). Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "services/hub.h"
#include "storage/db/database.h"

namespace hub::services {

enum class AuthKind { anonymous, token, password, session };

struct Principal {
  AuthKind kind = AuthKind::anonymous;
  std::optional<storage::db::Account> account;
  std::optional<storage::db::Token> token;  // set when kind == token
  std::string csrf;                         // set when kind == session

  bool anonymous() const { return !account.has_value(); }
  // Whether these credentials may write at all (a read token may not).
  bool can_write_scope() const { return account && (kind != AuthKind::token || (token && token->role == "write")); }
};

struct Credentials {
  std::optional<std::string_view> authorization;  // the Authorization header
  std::string session_cookie;                     // value of the session cookie, if any
};

// Anonymous when no credentials are given; unauthenticated error when they are wrong
// (a wrong token is never silently treated as anonymous).
Result<Principal> authenticate(Hub& hub, const Credentials& creds);

std::string hash_password(std::string_view password);
bool verify_password(std::string_view encoded, std::string_view password);
std::string new_token_secret();                      // "hf_" + 34 letters
std::string token_hash(std::string_view secret);      // sha256 hex

// Repo permissions. Private repos are readable by their owner, the owner org's members and
// admins; writable by the owner, org members with write/admin role, and admins, and only with
// write-scoped credentials.
bool can_read(Hub& hub, const Principal& p, const storage::db::RepoRow& repo);
bool can_write(Hub& hub, const Principal& p, const storage::db::RepoRow& repo);
// May p create or move repos into namespace ns?
bool can_write_namespace(Hub& hub, const Principal& p, std::string_view ns);

}  // namespace hub::services
