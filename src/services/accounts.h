// Accounts use cases: users, organisations, memberships, tokens and web log-in sessions.
// Shared by the CLI (`hubd user add`, ...) and the HTTP API. Thread-safe.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "services/hub.h"
#include "storage/db/database.h"

namespace hub::services {

struct NewUser {
  std::string name;
  std::string password;
  std::string fullname;
  std::string email;
  bool is_admin = false;
};

Result<storage::db::Account> create_user(Hub& hub, const NewUser& u);
Result<storage::db::Account> create_org(Hub& hub, std::string_view name, std::string_view fullname,
                                        const std::vector<std::string>& members);

struct IssuedToken {
  storage::db::Token token;
  std::string secret;  // shown once, never stored
};
Result<IssuedToken> create_token(Hub& hub, int64_t account_id, std::string_view name, std::string_view role);

struct IssuedSession {
  std::string cookie;  // the session id to put in the cookie
  std::string csrf;
};
struct LoginFailure {
  Error error;            // unauthenticated, the same message for a wrong name and a wrong password
  int retry_after_s = 0;  // > 0: refused by the throttle without checking (429, Retry-After)
};
// Password log-in (the web form and POST /api/login, the only places passwords are taken).
// Throttled per account name and per client address (Hub::login_throttle); a failed attempt
// costs one argon2 run whether or not the user exists.
std::expected<IssuedSession, LoginFailure> login(Hub& hub, std::string_view user, std::string_view password,
                                                 std::string_view client_address);
Result<void> logout(Hub& hub, std::string_view cookie);

}  // namespace hub::services
