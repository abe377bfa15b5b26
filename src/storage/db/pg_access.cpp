// Access requests of gated repos in PostgreSQL (issue 17, migration 7), with the semantics of
// sqlite_access.cpp.
#include "storage/db/pg_database.h"

namespace hub::storage::db {

namespace {
constexpr const char* kAccessSelect =
    "SELECT r.repo_id, r.account_id, COALESCE(a.name, ''), COALESCE(a.fullname, ''), COALESCE(a.email, ''), "
    "r.status, r.fields, r.rejection_reason, r.granted, r.created_at, r.updated_at "
    "FROM access_requests r LEFT JOIN accounts a ON a.id = r.account_id ";

AccessRequestRow access_from(const pg::Rows& rows, int i) {
  AccessRequestRow r;
  r.repo_id = rows.i64(i, 0);
  r.account_id = rows.i64(i, 1);
  r.user_name = rows.str(i, 2);
  r.user_fullname = rows.str(i, 3);
  r.user_email = rows.str(i, 4);
  r.status = rows.str(i, 5);
  r.fields = rows.str(i, 6);
  r.rejection_reason = rows.str(i, 7);
  r.granted = rows.i64(i, 8) != 0;
  r.created_at = rows.i64(i, 9);
  r.updated_at = rows.i64(i, 10);
  return r;
}
}  // namespace

Result<void> PgDatabase::create_access_request(const AccessRequestRow& r) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return pg::run(c->get(),
                 "INSERT INTO access_requests(repo_id, account_id, status, fields, rejection_reason, granted, "
                 "created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)",
                 pg::Params()
                     .add(r.repo_id)
                     .add(r.account_id)
                     .add(r.status)
                     .add(r.fields)
                     .add(r.rejection_reason)
                     .add(r.granted)
                     .add(r.created_at)
                     .add(r.updated_at));
}

Result<AccessRequestRow> PgDatabase::access_request(int64_t repo_id, int64_t account_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto rows = pg::exec(c->get(), std::string(kAccessSelect) + "WHERE r.repo_id = $1 AND r.account_id = $2",
                       pg::Params().add(repo_id).add(account_id));
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return fail(Errc::not_found, "Access request not found");
  return access_from(*rows, 0);
}

Result<void> PgDatabase::set_access_status(int64_t repo_id, int64_t account_id, std::string_view status,
                                           std::string_view rejection_reason, int64_t at) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto w = pg::exec(c->get(),
                    "UPDATE access_requests SET status = $1, rejection_reason = $2, updated_at = $3 "
                    "WHERE repo_id = $4 AND account_id = $5 AND status <> $1",
                    pg::Params()
                        .add(status)
                        .add(status == "rejected" ? std::string(rejection_reason) : std::string())
                        .add(at)
                        .add(repo_id)
                        .add(account_id));
  if (!w) return std::unexpected(w.error());
  if (w->affected() > 0) return {};
  auto probe = pg::exec(c->get(), "SELECT 1 FROM access_requests WHERE repo_id = $1 AND account_id = $2",
                        pg::Params().add(repo_id).add(account_id));
  if (!probe) return std::unexpected(probe.error());
  if (probe->empty()) return fail(Errc::not_found, "Access request not found");
  return fail(Errc::conflict, "The access request is already " + std::string(status));
}

Result<std::vector<AccessRequestRow>> PgDatabase::access_requests(int64_t repo_id, std::string_view status,
                                                                  int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto rows = pg::exec(c->get(),
                       std::string(kAccessSelect) +
                           "WHERE r.repo_id = $1 AND r.status = $2 ORDER BY r.updated_at, r.account_id LIMIT $3",
                       pg::Params().add(repo_id).add(status).limit(limit));
  if (!rows) return std::unexpected(rows.error());
  std::vector<AccessRequestRow> out;
  for (int i = 0; i < rows->size(); ++i) out.push_back(access_from(*rows, i));
  return out;
}

}  // namespace hub::storage::db
