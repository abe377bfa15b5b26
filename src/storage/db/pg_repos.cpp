// Repositories and their redirects in PostgreSQL.
#include "storage/db/pg_database.h"

namespace hub::storage::db {

namespace {
std::string key_of(std::string_view ns, std::string_view name) {
  std::string k = std::string(ns) + "/" + std::string(name);
  for (char& c : k)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return k;
}
}  // namespace

namespace pgx {
const char* const kRepoColumns = "id, uid, type, ns, name, private, gated, created_at, updated_at";

RepoRow repo_from(const pg::Rows& rows, int i, int c) {
  RepoRow r;
  r.id = rows.i64(i, c + 0);
  r.uid = rows.str(i, c + 1);
  r.type = rows.str(i, c + 2);
  r.ns = rows.str(i, c + 3);
  r.name = rows.str(i, c + 4);
  r.is_private = rows.i64(i, c + 5) != 0;
  r.gated = rows.str(i, c + 6);
  r.created_at = rows.i64(i, c + 7);
  r.updated_at = rows.i64(i, c + 8);
  return r;
}
}  // namespace pgx

namespace {
Result<RepoRow> one_repo(const Result<pg::Rows>& r) {
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "Repository not found", Detail::RepoNotFound);
  return pgx::repo_from(*r, 0);
}
}  // namespace

Result<RepoRow> PgDatabase::create_repo(const RepoRow& r) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  std::string key = key_of(r.ns, r.name);
  RepoRow out = r;
  auto res = pg::in_transaction(c->get(), [&]() -> Result<void> {
    auto ins = pg::exec(c->get(),
                        "INSERT INTO repos(uid, type, ns, name, key_lower, private, gated, created_at, updated_at) "
                        "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING id",
                        pg::Params()
                            .add(r.uid)
                            .add(r.type)
                            .add(r.ns)
                            .add(r.name)
                            .add(key)
                            .add(r.is_private)
                            .add(r.gated)
                            .add(r.created_at)
                            .add(r.updated_at));
    if (!ins) {
      if (ins.error().code == Errc::already_exists)
        return fail(Errc::already_exists, "You already created this " + r.type + " repo");
      return std::unexpected(ins.error());
    }
    out.id = ins->i64(0, 0);
    // A new repo takes its name back from any redirect left by a rename.
    return pg::run(c->get(), "DELETE FROM repo_redirects WHERE type = $1 AND key_lower = $2",
                   pg::Params().add(r.type).add(key));
  });
  if (!res) return std::unexpected(res.error());
  return out;
}

Result<RepoRow> PgDatabase::repo_by_name(std::string_view type, std::string_view ns, std::string_view name) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return one_repo(pg::exec(c->get(),
                           std::string("SELECT ") + pgx::kRepoColumns + " FROM repos WHERE type = $1 AND key_lower = $2",
                           pg::Params().add(type).add(key_of(ns, name))));
}

Result<RepoRow> PgDatabase::repo_by_id(int64_t id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return one_repo(pg::exec(c->get(), std::string("SELECT ") + pgx::kRepoColumns + " FROM repos WHERE id = $1",
                           pg::Params().add(id)));
}

Result<std::vector<RepoRow>> PgDatabase::repos_of(std::string_view ns) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  // SQLite's lower() folds ASCII only; names are ASCII (services validate them), so
  // PostgreSQL's lower() agrees. Ties on updated_at keep insertion (id) order, as SQLite's scan.
  auto r = pg::exec(c->get(),
                    std::string("SELECT ") + pgx::kRepoColumns +
                        " FROM repos WHERE lower(ns) = lower($1) ORDER BY updated_at DESC, id",
                    pg::Params().add(ns));
  if (!r) return std::unexpected(r.error());
  std::vector<RepoRow> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(pgx::repo_from(*r, i));
  return out;
}

Result<void> PgDatabase::delete_repo(int64_t id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "DELETE FROM repos WHERE id = $1", pg::Params().add(id));
  if (!r) return std::unexpected(r.error());
  if (r->affected() == 0) return fail(Errc::not_found, "Repository not found", Detail::RepoNotFound);
  return {};
}

Result<void> PgDatabase::move_repo(int64_t id, std::string_view new_ns, std::string_view new_name) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  PGconn* conn = c->get();
  return pg::in_transaction(conn, [&]() -> Result<void> {
    // FOR UPDATE: two renames of one repo at once serialise here, like SQLite's BEGIN IMMEDIATE.
    auto cur = pg::exec(conn, "SELECT type, key_lower FROM repos WHERE id = $1 FOR UPDATE", pg::Params().add(id));
    if (!cur) return std::unexpected(cur.error());
    if (cur->empty()) return fail(Errc::not_found, "Repository not found", Detail::RepoNotFound);
    std::string type = cur->str(0, 0), old_key = cur->str(0, 1), new_key = key_of(new_ns, new_name);
    auto up = pg::exec(conn, "UPDATE repos SET ns = $1, name = $2, key_lower = $3 WHERE id = $4",
                       pg::Params().add(new_ns).add(new_name).add(new_key).add(id));
    if (!up) {
      if (up.error().code == Errc::already_exists) return fail(Errc::already_exists, "The destination repo already exists");
      return std::unexpected(up.error());
    }
    if (auto e = pg::run(conn, "DELETE FROM repo_redirects WHERE type = $1 AND key_lower = $2",
                         pg::Params().add(type).add(new_key));
        !e)
      return e;
    if (old_key != new_key)
      return pg::run(conn,
                     "INSERT INTO repo_redirects(type, key_lower, repo_id) VALUES ($1,$2,$3) "
                     "ON CONFLICT (type, key_lower) DO UPDATE SET repo_id = excluded.repo_id",
                     pg::Params().add(type).add(old_key).add(id));
    return {};
  });
}

Result<std::optional<RepoRow>> PgDatabase::redirect_of(std::string_view type, std::string_view ns,
                                                       std::string_view name) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "SELECT r.id, r.uid, r.type, r.ns, r.name, r.private, r.gated, r.created_at, r.updated_at "
                    "FROM repo_redirects d JOIN repos r ON r.id = d.repo_id WHERE d.type = $1 AND d.key_lower = $2",
                    pg::Params().add(type).add(key_of(ns, name)));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return std::optional<RepoRow>{};
  return std::optional<RepoRow>{pgx::repo_from(*r, 0)};
}

Result<void> PgDatabase::update_repo_settings(int64_t id, std::optional<bool> is_private,
                                              std::optional<std::string> gated) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  if (is_private)
    if (auto e = pg::run(c->get(), "UPDATE repos SET private = $1 WHERE id = $2", pg::Params().add(*is_private).add(id));
        !e)
      return e;
  if (gated)
    if (auto e = pg::run(c->get(), "UPDATE repos SET gated = $1 WHERE id = $2", pg::Params().add(*gated).add(id)); !e)
      return e;
  return {};
}

Result<void> PgDatabase::touch_repo(int64_t id, int64_t at) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return pg::run(c->get(), "UPDATE repos SET updated_at = $1 WHERE id = $2", pg::Params().add(at).add(id));
}

}  // namespace hub::storage::db
