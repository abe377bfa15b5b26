// Opening, migrating, and the small tables (sessions, ref updates) of the SQLite database.
#include <algorithm>

#include "core/log.h"
#include "storage/db/pg_database.h"
#include "storage/db/sqlite_database.h"

namespace hub::storage::db {

using sqlite::Stmt;

Result<std::unique_ptr<Database>> Database::open(const std::string& url) {
  std::string path = url;
  if (path.starts_with("sqlite://")) path = path.substr(9);
  else if (path.starts_with("sqlite:")) path = path.substr(7);
  if (path.starts_with("postgres://") || path.starts_with("postgresql://")) return open_postgres(path);
  auto db = std::make_unique<SqliteDatabase>(path);
  auto r = db->init();
  if (!r) return std::unexpected(r.error());
  return std::unique_ptr<Database>(std::move(db));
}

Result<void> SqliteDatabase::init() {
  if (auto r = pool_.init(); !r) return r;
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  // Migrations run inside one immediate transaction each, so two processes starting on the
  // same file (server + CLI) never apply one twice.
  if (auto r = sqlite::exec_script(c->get(), "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
      !r)
    return r;
  const auto& ms = migrations();
  for (;;) {
    if (auto r = sqlite::exec_script(c->get(), "BEGIN IMMEDIATE;"); !r) return r;
    Stmt q(c->get(), "SELECT COALESCE(MAX(version), 0) FROM schema_version");
    auto row = q.step();
    if (!row) {
      sqlite::exec_script(c->get(), "ROLLBACK;");
      return std::unexpected(row.error());
    }
    int v = int(q.i64(0));
    if (v > int(ms.size())) {
      sqlite::exec_script(c->get(), "ROLLBACK;");
      return fail(Errc::unsupported, "database schema version " + std::to_string(v) +
                                         " is newer than this hubd (" + std::to_string(ms.size()) + ")");
    }
    if (v == int(ms.size())) {
      sqlite::exec_script(c->get(), "COMMIT;");
      version_ = v;
      return {};
    }
    auto r = sqlite::exec_script(c->get(), ms[size_t(v)]);
    if (r) {
      Stmt ins(c->get(), "INSERT INTO schema_version(version) VALUES (?)");
      ins.bind(1, int64_t(v + 1));
      auto e = ins.exec();
      if (!e) r = std::unexpected(e.error());
    }
    if (!r) {
      sqlite::exec_script(c->get(), "ROLLBACK;");
      return fail(Errc::internal, "migration " + std::to_string(v + 1) + " failed: " + r.error().message);
    }
    if (auto e = sqlite::exec_script(c->get(), "COMMIT;"); !e) return e;
    log::info("database migrated", {{"version", std::to_string(v + 1)}});
  }
}

int SqliteDatabase::schema_version() { return version_; }

Result<void> SqliteDatabase::create_session(const WebSession& s) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "INSERT INTO web_sessions(id_hash, account_id, csrf, expires_at) VALUES (?,?,?,?)");
  st.bind(1, s.id_hash).bind(2, s.account_id).bind(3, s.csrf).bind(4, s.expires_at);
  return st.exec();
}

Result<WebSession> SqliteDatabase::session_by_hash(std::string_view id_hash) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "SELECT id_hash, account_id, csrf, expires_at FROM web_sessions WHERE id_hash = ?");
  st.bind(1, id_hash);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "no such session");
  return WebSession{st.str(0), st.i64(1), st.str(2), st.i64(3)};
}

Result<void> SqliteDatabase::delete_session(std::string_view id_hash) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "DELETE FROM web_sessions WHERE id_hash = ?");
  st.bind(1, id_hash);
  return st.exec();
}

Result<void> SqliteDatabase::record_ref_update(const RefUpdate& u) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "INSERT INTO ref_updates(repo_id, ref, old_oid, new_oid, at) VALUES (?,?,?,?,?)");
  st.bind(1, u.repo_id).bind(2, u.ref).bind(3, u.old_oid).bind(4, u.new_oid).bind(5, u.at);
  return st.exec();
}

Result<std::vector<RefUpdate>> SqliteDatabase::ref_updates(int64_t repo_id, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "SELECT repo_id, ref, old_oid, new_oid, at FROM ref_updates WHERE repo_id = ? ORDER BY id DESC LIMIT ?");
  st.bind(1, repo_id).bind(2, int64_t(limit));
  std::vector<RefUpdate> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back({st.i64(0), st.str(1), st.str(2), st.str(3), st.i64(4)});
  }
  return out;
}

}  // namespace hub::storage::db
