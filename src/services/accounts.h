// Accounts use cases: users, organisations, memberships, tokens and web log-in sessions.
// Shared by the CLI (`hubd user add`, ...) and the HTTP API. Thread-safe.
#pragma once

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
// Password log-in for the web UI.
Result<IssuedSession> login(Hub& hub, std::string_view user, std::string_view password);
Result<void> logout(Hub& hub, std::string_view cookie);

}  // namespace hub::services
