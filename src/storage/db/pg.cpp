// Opening and migrating the PostgreSQL database, and the small tables (sessions, ref updates).
#include "core/log.h"
#include "storage/db/pg_database.h"

namespace hub::storage::db {

Result<std::unique_ptr<Database>> open_postgres(const std::string& url) {
  auto u = pg::parse_url(url);
  if (!u) return std::unexpected(u.error());
  auto db = std::make_unique<PgDatabase>(u->conninfo, u->pool);
  if (auto r = db->init(); !r) return std::unexpected(r.error());
  return std::unique_ptr<Database>(std::move(db));
}

namespace {
// Held (session-level) while migrating, so nodes starting together on an empty database apply
// each migration exactly once: the others wait, then find nothing left to do. Advisory locks
// are per database, so other databases on the same server are not held up.
constexpr const char* kMigrationLock = "4847015331263905892";  // "hubd-mig" as an int64 tag
}  // namespace

Result<void> PgDatabase::init() {
  if (auto r = pool_.init(); !r) return r;
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  PGconn* conn = c->get();
  if (auto l = pg::exec(conn, std::string("SELECT pg_advisory_lock(") + kMigrationLock + ")"); !l)
    return std::unexpected(l.error());
  auto body = [&]() -> Result<void> {
    if (auto r = pg::exec_script(conn, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);"); !r)
      return r;
    const auto& ms = pg_migrations();
    for (;;) {
      auto v_rows = pg::exec(conn, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
      if (!v_rows) return std::unexpected(v_rows.error());
      int v = int(v_rows->i64(0, 0));
      if (v > int(ms.size()))
        return fail(Errc::unsupported, "database schema version " + std::to_string(v) + " is newer than this hubd (" +
                                           std::to_string(ms.size()) + ")");
      if (v == int(ms.size())) {
        version_ = v;
        return {};
      }
      auto r = pg::in_transaction(conn, [&]() -> Result<void> {
        if (auto e = pg::exec_script(conn, ms[size_t(v)]); !e) return e;
        auto ins = pg::exec(conn, "INSERT INTO schema_version(version) VALUES ($1)", pg::Params().add(int64_t(v + 1)));
        if (!ins) return std::unexpected(ins.error());
        return {};
      });
      if (!r) return fail(Errc::internal, "migration " + std::to_string(v + 1) + " failed: " + r.error().message);
      log::info("database migrated", {{"version", std::to_string(v + 1)}, {"backend", "postgres"}});
    }
  };
  auto r = body();
  pg::exec(conn, std::string("SELECT pg_advisory_unlock(") + kMigrationLock + ")");
  return r;
}

int PgDatabase::schema_version() { return version_; }

Result<void> PgDatabase::create_session(const WebSession& s) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "INSERT INTO web_sessions(id_hash, account_id, csrf, expires_at) VALUES ($1,$2,$3,$4)",
                    pg::Params().add(s.id_hash).add(s.account_id).add(s.csrf).add(s.expires_at));
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<WebSession> PgDatabase::session_by_hash(std::string_view id_hash) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "SELECT id_hash, account_id, csrf, expires_at FROM web_sessions WHERE id_hash = $1",
                    pg::Params().add(id_hash));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "no such session");
  return WebSession{r->str(0, 0), r->i64(0, 1), r->str(0, 2), r->i64(0, 3)};
}

Result<void> PgDatabase::delete_session(std::string_view id_hash) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "DELETE FROM web_sessions WHERE id_hash = $1", pg::Params().add(id_hash));
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<void> PgDatabase::record_ref_update(const RefUpdate& u) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "INSERT INTO ref_updates(repo_id, ref, old_oid, new_oid, at) VALUES ($1,$2,$3,$4,$5)",
                    pg::Params().add(u.repo_id).add(u.ref).add(u.old_oid).add(u.new_oid).add(u.at));
  if (!r) return std::unexpected(r.error());
  return {};
}

Result<std::vector<RefUpdate>> PgDatabase::ref_updates(int64_t repo_id, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "SELECT repo_id, ref, old_oid, new_oid, at FROM ref_updates WHERE repo_id = $1 "
                    "ORDER BY id DESC LIMIT $2",
                    pg::Params().add(repo_id).limit(limit));
  if (!r) return std::unexpected(r.error());
  std::vector<RefUpdate> out;
  for (int i = 0; i < r->size(); ++i) out.push_back({r->i64(i, 0), r->str(i, 1), r->str(i, 2), r->str(i, 3), r->i64(i, 4)});
  return out;
}

}  // namespace hub::storage::db
