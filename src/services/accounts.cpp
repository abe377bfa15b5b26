#include "services/accounts.h"

#include "core/hash.h"
#include "core/time.h"
#include "services/auth.h"
#include "services/names.h"

namespace hub::services {

using storage::db::Account;
using storage::db::AccountKind;

Result<Account> create_user(Hub& hub, const NewUser& u) {
  if (auto r = validate_account_name(u.name); !r) return std::unexpected(r.error());
  if (u.password.size() < 8) return fail(Errc::invalid_argument, "The password must have at least 8 characters");
  if (u.password.size() > 1024) return fail(Errc::invalid_argument, "The password is too long");
  Account a;
  a.kind = AccountKind::user;
  a.name = u.name;
  a.fullname = u.fullname.empty() ? u.name : u.fullname;
  a.email = u.email;
  a.password_hash = hash_password(u.password);
  a.is_admin = u.is_admin;
  a.created_at = now_ms();
  return hub.db().create_account(a);
}

Result<Account> create_org(Hub& hub, std::string_view name, std::string_view fullname,
                           const std::vector<std::string>& members) {
  if (auto r = validate_account_name(name); !r) return std::unexpected(r.error());
  std::vector<Account> users;
  for (auto& m : members) {
    auto u = hub.db().account_by_name(m);
    if (!u || u->kind != AccountKind::user) return fail(Errc::not_found, "No user named '" + m + "'");
    users.push_back(*u);
  }
  Account a;
  a.kind = AccountKind::org;
  a.name = name;
  a.fullname = fullname.empty() ? std::string(name) : std::string(fullname);
  a.created_at = now_ms();
  auto org = hub.db().create_account(a);
  if (!org) return org;
  for (auto& u : users)
    if (auto r = hub.db().add_member(org->id, u.id, "admin"); !r) return std::unexpected(r.error());
  return org;
}

Result<IssuedToken> create_token(Hub& hub, int64_t account_id, std::string_view name, std::string_view role) {
  if (role != "read" && role != "write") return fail(Errc::invalid_argument, "The token role must be read or write");
  if (name.size() > 100) return fail(Errc::invalid_argument, "The token name is too long");
  IssuedToken out;
  out.secret = new_token_secret();
  storage::db::Token t;
  t.account_id = account_id;
  t.name = name.empty() ? std::string("token") : std::string(name);
  t.role = role;
  t.hash = token_hash(out.secret);
  t.prefix = out.secret.substr(0, 7);
  t.created_at = now_ms();
  auto row = hub.db().create_token(t);
  if (!row) return std::unexpected(row.error());
  out.token = *row;
  return out;
}

std::expected<IssuedSession, LoginFailure> login(Hub& hub, std::string_view user, std::string_view password,
                                                 std::string_view client_address) {
  auto& throttle = hub.login_throttle();
  if (auto wait = throttle.try_acquire(user, client_address, now_ms()))
    return std::unexpected(LoginFailure{
        Error{Errc::forbidden, "Too many failed log-in attempts; try again in " + std::to_string(*wait) + " s",
              Detail::TooManyRequests},
        *wait});
  auto a = hub.db().account_by_name(user);
  bool is_user = a && a->kind == AccountKind::user;
  // The same argon2 work for an absent user or an organisation as for a real one: timing must
  // not tell which names exist.
  if (!verify_password_constant_cost(is_user ? &a->password_hash : nullptr, password))
    return std::unexpected(LoginFailure{Error{Errc::unauthenticated, "Invalid username or password"}, 0});
  throttle.refund(user, client_address, now_ms());
  IssuedSession s;
  s.cookie = base64url_encode(random_bytes(32));
  s.csrf = base64url_encode(random_bytes(24));
  storage::db::WebSession row{sha256_hex(s.cookie), a->id, s.csrf, now_ms() + 30LL * 24 * 3600 * 1000};
  if (auto r = hub.db().create_session(row); !r) return std::unexpected(LoginFailure{r.error(), 0});
  return s;
}

Result<void> logout(Hub& hub, std::string_view cookie) { return hub.db().delete_session(sha256_hex(cookie)); }

}  // namespace hub::services
