// Repo -> LFS object links in SQLite (the table that keeps one repo from serving another's
// objects out of the shared blob store).
#include "storage/db/sqlite_database.h"

namespace hub::storage::db {

using sqlite::Stmt;

Result<void> SqliteDatabase::link_lfs_objects(int64_t repo_id, const std::vector<LfsObjectRef>& objects, int64_t at) {
  if (objects.empty()) return {};
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  // One transaction: a push can add thousands of pointers.
  if (auto e = sqlite::exec_script(c->get(), "BEGIN IMMEDIATE;"); !e) return e;
  auto body = [&]() -> Result<void> {
    for (const auto& o : objects) {
      Stmt one(c->get(),
               "INSERT INTO repo_lfs_objects(repo_id, oid, size, created_at) VALUES (?,?,?,?) "
               "ON CONFLICT(repo_id, oid) DO NOTHING");
      one.bind(1, repo_id).bind(2, o.oid).bind(3, int64_t(o.size)).bind(4, at);
      if (auto e = one.exec(); !e) return e;
    }
    return {};
  };
  auto r = body();
  sqlite::exec_script(c->get(), r ? "COMMIT;" : "ROLLBACK;");
  return r;
}

Result<bool> SqliteDatabase::repo_has_lfs_object(int64_t repo_id, std::string_view oid) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "SELECT 1 FROM repo_lfs_objects WHERE repo_id = ? AND oid = ?");
  st.bind(1, repo_id).bind(2, oid);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  return *row;
}

namespace {
// Every row's first column, as ids.
Result<std::vector<int64_t>> first_column_ids(Stmt& st) {
  std::vector<int64_t> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(st.i64(0));
  }
  return out;
}
}  // namespace

Result<std::vector<int64_t>> SqliteDatabase::lfs_object_repos(std::string_view oid, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "SELECT repo_id FROM repo_lfs_objects WHERE oid = ? ORDER BY repo_id LIMIT ?");
  st.bind(1, oid).bind(2, int64_t(limit));
  return first_column_ids(st);
}

Result<std::vector<int64_t>> SqliteDatabase::lfs_backfill_queue(int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "SELECT repo_id FROM lfs_link_backfill ORDER BY repo_id LIMIT ?");
  st.bind(1, int64_t(limit));
  return first_column_ids(st);
}

Result<void> SqliteDatabase::lfs_backfill_done(int64_t repo_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "DELETE FROM lfs_link_backfill WHERE repo_id = ?");
  st.bind(1, repo_id);
  return st.exec();
}

}  // namespace hub::storage::db
