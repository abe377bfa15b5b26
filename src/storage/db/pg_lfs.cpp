// Repo -> LFS object links in PostgreSQL.
#include "storage/db/pg_database.h"

namespace hub::storage::db {

namespace {
Result<std::vector<int64_t>> first_column_ids(const Result<pg::Rows>& r) {
  if (!r) return std::unexpected(r.error());
  std::vector<int64_t> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(r->i64(i, 0));
  return out;
}
}  // namespace

Result<void> PgDatabase::link_lfs_objects(int64_t repo_id, const std::vector<LfsObjectRef>& objects, int64_t at) {
  if (objects.empty()) return {};
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  // One transaction, one statement per object (a push can add thousands of pointers; each is
  // a short index insert, and a pipeline is not worth its complexity here).
  return pg::in_transaction(c->get(), [&]() -> Result<void> {
    for (const auto& o : objects)
      if (auto e = pg::run(c->get(),
                           "INSERT INTO repo_lfs_objects(repo_id, oid, size, created_at) VALUES ($1,$2,$3,$4) "
                           "ON CONFLICT (repo_id, oid) DO NOTHING",
                           pg::Params().add(repo_id).add(o.oid).add(int64_t(o.size)).add(at));
          !e)
        return e;
    return {};
  });
}

Result<bool> PgDatabase::repo_has_lfs_object(int64_t repo_id, std::string_view oid) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "SELECT 1 FROM repo_lfs_objects WHERE repo_id = $1 AND oid = $2",
                    pg::Params().add(repo_id).add(oid));
  if (!r) return std::unexpected(r.error());
  return !r->empty();
}

Result<std::vector<int64_t>> PgDatabase::lfs_object_repos(std::string_view oid, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return first_column_ids(pg::exec(c->get(), "SELECT repo_id FROM repo_lfs_objects WHERE oid = $1 ORDER BY repo_id LIMIT $2",
                                   pg::Params().add(oid).limit(limit)));
}

Result<std::vector<int64_t>> PgDatabase::lfs_backfill_queue(int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return first_column_ids(
      pg::exec(c->get(), "SELECT repo_id FROM lfs_link_backfill ORDER BY repo_id LIMIT $1", pg::Params().limit(limit)));
}

Result<void> PgDatabase::lfs_backfill_done(int64_t repo_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return pg::run(c->get(), "DELETE FROM lfs_link_backfill WHERE repo_id = $1", pg::Params().add(repo_id));
}

}  // namespace hub::storage::db
