// Accounts, memberships and tokens in SQLite.
#include "storage/db/sqlite_database.h"

namespace hub::storage::db {

using sqlite::Stmt;

namespace {
std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return o;
}

constexpr const char* kAccountCols = "id, kind, name, fullname, email, password_hash, is_admin, created_at";

Account account_from(const Stmt& st) {
  Account a;
  a.id = st.i64(0);
  a.kind = st.str(1) == "org" ? AccountKind::org : AccountKind::user;
  a.name = st.str(2);
  a.fullname = st.str(3);
  a.email = st.str(4);
  a.password_hash = st.str(5);
  a.is_admin = st.i64(6) != 0;
  a.created_at = st.i64(7);
  return a;
}

Token token_from(const Stmt& st) {
  return Token{st.i64(0), st.i64(1), st.str(2), st.str(3), st.str(4), st.str(5), st.i64(6), st.i64(7)};
}
constexpr const char* kTokenCols = "id, account_id, name, role, hash, prefix, created_at, last_used_at";
}  // namespace

Result<Account> SqliteDatabase::create_account(const Account& a) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "INSERT INTO accounts(kind, name, name_lower, fullname, email, password_hash, is_admin, created_at) "
          "VALUES (?,?,?,?,?,?,?,?)");
  st.bind(1, a.kind == AccountKind::org ? "org" : "user")
      .bind(2, a.name)
      .bind(3, lower(a.name))
      .bind(4, a.fullname)
      .bind(5, a.email)
      .bind(6, a.password_hash)
      .bind(7, a.is_admin)
      .bind(8, a.created_at);
  if (auto r = st.exec(); !r) {
    if (r.error().code == Errc::already_exists) return fail(Errc::already_exists, "the name '" + a.name + "' is taken");
    return std::unexpected(r.error());
  }
  Account out = a;
  out.id = sqlite3_last_insert_rowid(c->get());
  return out;
}

Result<Account> SqliteDatabase::account_by_name(std::string_view name) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kAccountCols + " FROM accounts WHERE name_lower = ?");
  st.bind(1, lower(name));
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "no account named '" + std::string(name) + "'");
  return account_from(st);
}

Result<Account> SqliteDatabase::account_by_id(int64_t id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kAccountCols + " FROM accounts WHERE id = ?");
  st.bind(1, id);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "no such account");
  return account_from(st);
}

Result<int64_t> SqliteDatabase::count_accounts(AccountKind kind) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "SELECT COUNT(*) FROM accounts WHERE kind = ?");
  st.bind(1, kind == AccountKind::org ? "org" : "user");
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  return st.i64(0);
}

Result<void> SqliteDatabase::add_member(int64_t org_id, int64_t user_id, std::string_view role) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "INSERT INTO memberships(org_id, user_id, role) VALUES (?,?,?) "
          "ON CONFLICT(org_id, user_id) DO UPDATE SET role = excluded.role");
  st.bind(1, org_id).bind(2, user_id).bind(3, role);
  return st.exec();
}

Result<std::string> SqliteDatabase::member_role(int64_t org_id, int64_t user_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "SELECT role FROM memberships WHERE org_id = ? AND user_id = ?");
  st.bind(1, org_id).bind(2, user_id);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "not a member");
  return st.str(0);
}

Result<std::vector<Account>> SqliteDatabase::orgs_of(int64_t user_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "SELECT a.id, a.kind, a.name, a.fullname, a.email, a.password_hash, a.is_admin, a.created_at "
          "FROM accounts a JOIN memberships m ON m.org_id = a.id WHERE m.user_id = ? ORDER BY a.name_lower");
  st.bind(1, user_id);
  std::vector<Account> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(account_from(st));
  }
  return out;
}

Result<Token> SqliteDatabase::create_token(const Token& t) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "INSERT INTO tokens(account_id, name, role, hash, prefix, created_at, last_used_at) VALUES (?,?,?,?,?,?,0)");
  st.bind(1, t.account_id).bind(2, t.name).bind(3, t.role).bind(4, t.hash).bind(5, t.prefix).bind(6, t.created_at);
  if (auto r = st.exec(); !r) return std::unexpected(r.error());
  Token out = t;
  out.id = sqlite3_last_insert_rowid(c->get());
  return out;
}

Result<Token> SqliteDatabase::token_by_hash(std::string_view hash) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kTokenCols + " FROM tokens WHERE hash = ?");
  st.bind(1, hash);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "no such token");
  return token_from(st);
}

Result<std::vector<Token>> SqliteDatabase::tokens_of(int64_t account_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kTokenCols + " FROM tokens WHERE account_id = ? ORDER BY id");
  st.bind(1, account_id);
  std::vector<Token> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(token_from(st));
  }
  return out;
}

Result<void> SqliteDatabase::delete_token(int64_t account_id, int64_t token_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "DELETE FROM tokens WHERE id = ? AND account_id = ?");
  st.bind(1, token_id).bind(2, account_id);
  if (auto r = st.exec(); !r) return r;
  if (sqlite3_changes(c->get()) == 0) return fail(Errc::not_found, "no such token");
  return {};
}

Result<void> SqliteDatabase::touch_token(int64_t token_id, int64_t at) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "UPDATE tokens SET last_used_at = ? WHERE id = ?");
  st.bind(1, at).bind(2, token_id);
  return st.exec();
}

}  // namespace hub::storage::db
