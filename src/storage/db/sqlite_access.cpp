// Access requests of gated repos in SQLite (issue 17, migration 7).
#include "storage/db/sqlite_database.h"

namespace hub::storage::db {

using sqlite::Stmt;

namespace {
constexpr const char* kAccessSelect =
    "SELECT r.repo_id, r.account_id, COALESCE(a.name, ''), COALESCE(a.fullname, ''), COALESCE(a.email, ''), "
    "r.status, r.fields, r.rejection_reason, r.granted, r.created_at, r.updated_at "
    "FROM access_requests r LEFT JOIN accounts a ON a.id = r.account_id ";

AccessRequestRow access_from(const Stmt& st) {
  AccessRequestRow r;
  r.repo_id = st.i64(0);
  r.account_id = st.i64(1);
  r.user_name = st.str(2);
  r.user_fullname = st.str(3);
  r.user_email = st.str(4);
  r.status = st.str(5);
  r.fields = st.str(6);
  r.rejection_reason = st.str(7);
  r.granted = st.i64(8) != 0;
  r.created_at = st.i64(9);
  r.updated_at = st.i64(10);
  return r;
}
}  // namespace

Result<void> SqliteDatabase::create_access_request(const AccessRequestRow& r) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "INSERT INTO access_requests(repo_id, account_id, status, fields, rejection_reason, granted, created_at, "
          "updated_at) VALUES (?,?,?,?,?,?,?,?)");
  st.bind(1, r.repo_id).bind(2, r.account_id).bind(3, r.status).bind(4, r.fields).bind(5, r.rejection_reason);
  st.bind(6, r.granted).bind(7, r.created_at).bind(8, r.updated_at);
  return st.exec();
}

Result<AccessRequestRow> SqliteDatabase::access_request(int64_t repo_id, int64_t account_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string(kAccessSelect) + "WHERE r.repo_id = ? AND r.account_id = ?");
  st.bind(1, repo_id).bind(2, account_id);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "Access request not found");
  return access_from(st);
}

Result<void> SqliteDatabase::set_access_status(int64_t repo_id, int64_t account_id, std::string_view status,
                                               std::string_view rejection_reason, int64_t at) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  // One statement: the status test and the write are atomic, so the compare-and-set holds
  // across connections and processes.
  Stmt st(c->get(),
          "UPDATE access_requests SET status = ?, rejection_reason = ?, updated_at = ? "
          "WHERE repo_id = ? AND account_id = ? AND status <> ?");
  // A std::string: an empty string_view may carry a null pointer, which SQLite binds as NULL.
  std::string reason = status == "rejected" ? std::string(rejection_reason) : std::string();
  st.bind(1, status).bind(2, reason).bind(3, at);
  st.bind(4, repo_id).bind(5, account_id).bind(6, status);
  if (auto e = st.exec(); !e) return e;
  if (sqlite3_changes(c->get()) > 0) return {};
  Stmt probe(c->get(), "SELECT 1 FROM access_requests WHERE repo_id = ? AND account_id = ?");
  probe.bind(1, repo_id).bind(2, account_id);
  auto row = probe.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "Access request not found");
  return fail(Errc::conflict, "The access request is already " + std::string(status));
}

Result<std::vector<AccessRequestRow>> SqliteDatabase::access_requests(int64_t repo_id, std::string_view status,
                                                                      int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string(kAccessSelect) +
                        "WHERE r.repo_id = ? AND r.status = ? ORDER BY r.updated_at, r.account_id LIMIT ?");
  st.bind(1, repo_id).bind(2, status).bind(3, int64_t(limit < 0 ? -1 : limit));
  std::vector<AccessRequestRow> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(access_from(st));
  }
  return out;
}

}  // namespace hub::storage::db
