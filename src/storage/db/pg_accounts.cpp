// Accounts, memberships and tokens in PostgreSQL.
#include "storage/db/pg_database.h"

namespace hub::storage::db {

namespace {
std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return o;
}

constexpr const char* kAccountCols = "id, kind, name, fullname, email, password_hash, is_admin, created_at";
constexpr const char* kAccountColsA =
    "a.id, a.kind, a.name, a.fullname, a.email, a.password_hash, a.is_admin, a.created_at";

Account account_from(const pg::Rows& r, int i) {
  Account a;
  a.id = r.i64(i, 0);
  a.kind = r.str(i, 1) == "org" ? AccountKind::org : AccountKind::user;
  a.name = r.str(i, 2);
  a.fullname = r.str(i, 3);
  a.email = r.str(i, 4);
  a.password_hash = r.str(i, 5);
  a.is_admin = r.i64(i, 6) != 0;
  a.created_at = r.i64(i, 7);
  return a;
}

constexpr const char* kTokenCols = "id, account_id, name, role, hash, prefix, created_at, last_used_at";
Token token_from(const pg::Rows& r, int i) {
  return Token{r.i64(i, 0), r.i64(i, 1), r.str(i, 2), r.str(i, 3), r.str(i, 4), r.str(i, 5), r.i64(i, 6), r.i64(i, 7)};
}
}  // namespace

Result<Account> PgDatabase::create_account(const Account& a) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "INSERT INTO accounts(kind, name, name_lower, fullname, email, password_hash, is_admin, created_at) "
                    "VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id",
                    pg::Params()
                        .add(a.kind == AccountKind::org ? "org" : "user")
                        .add(a.name)
                        .add(lower(a.name))
                        .add(a.fullname)
                        .add(a.email)
                        .add(a.password_hash)
                        .add(a.is_admin)
                        .add(a.created_at));
  if (!r) {
    if (r.error().code == Errc::already_exists) return fail(Errc::already_exists, "the name '" + a.name + "' is taken");
    return std::unexpected(r.error());
  }
  Account out = a;
  out.id = r->i64(0, 0);
  return out;
}

Result<Account> PgDatabase::account_by_name(std::string_view name) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), std::string("SELECT ") + kAccountCols + " FROM accounts WHERE name_lower = $1",
                    pg::Params().add(lower(name)));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "no account named '" + std::string(name) + "'");
  return account_from(*r, 0);
}

Result<Account> PgDatabase::account_by_id(int64_t id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), std::string("SELECT ") + kAccountCols + " FROM accounts WHERE id = $1",
                    pg::Params().add(id));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "no such account");
  return account_from(*r, 0);
}

Result<int64_t> PgDatabase::count_accounts(AccountKind kind) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "SELECT COUNT(*) FROM accounts WHERE kind = $1",
                    pg::Params().add(kind == AccountKind::org ? "org" : "user"));
  if (!r) return std::unexpected(r.error());
  return r->i64(0, 0);
}

Result<void> PgDatabase::add_member(int64_t org_id, int64_t user_id, std::string_view role) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "INSERT INTO memberships(org_id, user_id, role) VALUES ($1,$2,$3) "
                    "ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role",
                    pg::Params().add(org_id).add(user_id).add(role));
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<std::string> PgDatabase::member_role(int64_t org_id, int64_t user_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "SELECT role FROM memberships WHERE org_id = $1 AND user_id = $2",
                    pg::Params().add(org_id).add(user_id));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "not a member");
  return r->str(0, 0);
}

Result<std::vector<Account>> PgDatabase::orgs_of(int64_t user_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    std::string("SELECT ") + kAccountColsA +
                        " FROM accounts a JOIN memberships m ON m.org_id = a.id WHERE m.user_id = $1 "
                        "ORDER BY a.name_lower",
                    pg::Params().add(user_id));
  if (!r) return std::unexpected(r.error());
  std::vector<Account> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(account_from(*r, i));
  return out;
}

Result<Token> PgDatabase::create_token(const Token& t) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "INSERT INTO tokens(account_id, name, role, hash, prefix, created_at, last_used_at) "
                    "VALUES ($1,$2,$3,$4,$5,$6,0) RETURNING id",
                    pg::Params().add(t.account_id).add(t.name).add(t.role).add(t.hash).add(t.prefix).add(t.created_at));
  if (!r) return std::unexpected(r.error());
  Token out = t;
  out.id = r->i64(0, 0);
  return out;
}

Result<Token> PgDatabase::token_by_hash(std::string_view hash) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), std::string("SELECT ") + kTokenCols + " FROM tokens WHERE hash = $1",
                    pg::Params().add(hash));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "no such token");
  return token_from(*r, 0);
}

Result<std::vector<Token>> PgDatabase::tokens_of(int64_t account_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), std::string("SELECT ") + kTokenCols + " FROM tokens WHERE account_id = $1 ORDER BY id",
                    pg::Params().add(account_id));
  if (!r) return std::unexpected(r.error());
  std::vector<Token> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(token_from(*r, i));
  return out;
}

Result<void> PgDatabase::delete_token(int64_t account_id, int64_t token_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "DELETE FROM tokens WHERE id = $1 AND account_id = $2",
                    pg::Params().add(token_id).add(account_id));
  if (!r) return std::unexpected(r.error());
  if (r->affected() == 0) return fail(Errc::not_found, "no such token");
  return {};
}

Result<void> PgDatabase::touch_token(int64_t token_id, int64_t at) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "UPDATE tokens SET last_used_at = $1 WHERE id = $2", pg::Params().add(at).add(token_id));
  if (!r) return std::unexpected(r.error());
  return {};
}

}  // namespace hub::storage::db
