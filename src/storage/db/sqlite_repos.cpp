// Repositories and their redirects in SQLite.
#include "storage/db/sqlite_database.h"

namespace hub::storage::db {

using sqlite::Stmt;

namespace {
std::string key_of(std::string_view ns, std::string_view name) {
  std::string k = std::string(ns) + "/" + std::string(name);
  for (char& c : k)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return k;
}

}  // namespace

const char* const kRepoColumns = "id, uid, type, ns, name, private, gated, created_at, updated_at";

RepoRow repo_from_row(const Stmt& st) {
  RepoRow r;
  r.id = st.i64(0);
  r.uid = st.str(1);
  r.type = st.str(2);
  r.ns = st.str(3);
  r.name = st.str(4);
  r.is_private = st.i64(5) != 0;
  r.gated = st.str(6);
  r.created_at = st.i64(7);
  r.updated_at = st.i64(8);
  return r;
}

namespace {
Result<RepoRow> one_repo(Stmt& st, std::string_view what) {
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, std::string(what), Detail::RepoNotFound);
  return repo_from_row(st);
}
}  // namespace

Result<RepoRow> SqliteDatabase::create_repo(const RepoRow& r) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  std::string key = key_of(r.ns, r.name);
  Stmt st(c->get(),
          "INSERT INTO repos(uid, type, ns, name, key_lower, private, gated, created_at, updated_at) "
          "VALUES (?,?,?,?,?,?,?,?,?)");
  st.bind(1, r.uid).bind(2, r.type).bind(3, r.ns).bind(4, r.name).bind(5, key);
  st.bind(6, r.is_private).bind(7, r.gated).bind(8, r.created_at).bind(9, r.updated_at);
  if (auto e = st.exec(); !e) {
    if (e.error().code == Errc::already_exists)
      return fail(Errc::already_exists, "You already created this " + r.type + " repo");
    return std::unexpected(e.error());
  }
  RepoRow out = r;
  out.id = sqlite3_last_insert_rowid(c->get());
  // A new repo takes its name back from any redirect left by a rename.
  Stmt del(c->get(), "DELETE FROM repo_redirects WHERE type = ? AND key_lower = ?");
  del.bind(1, r.type).bind(2, key);
  if (auto e = del.exec(); !e) return std::unexpected(e.error());
  return out;
}

Result<RepoRow> SqliteDatabase::repo_by_name(std::string_view type, std::string_view ns, std::string_view name) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kRepoColumns + " FROM repos WHERE type = ? AND key_lower = ?");
  st.bind(1, type).bind(2, key_of(ns, name));
  return one_repo(st, "Repository not found");
}

Result<RepoRow> SqliteDatabase::repo_by_id(int64_t id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kRepoColumns + " FROM repos WHERE id = ?");
  st.bind(1, id);
  return one_repo(st, "Repository not found");
}

Result<std::vector<RepoRow>> SqliteDatabase::repos_of(std::string_view ns) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kRepoColumns + " FROM repos WHERE lower(ns) = lower(?) ORDER BY updated_at DESC");
  st.bind(1, ns);
  std::vector<RepoRow> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(repo_from_row(st));
  }
  return out;
}

Result<void> SqliteDatabase::delete_repo(int64_t id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "DELETE FROM repos WHERE id = ?");
  st.bind(1, id);
  if (auto e = st.exec(); !e) return e;
  if (sqlite3_changes(c->get()) == 0) return fail(Errc::not_found, "Repository not found", Detail::RepoNotFound);
  return {};
}

Result<void> SqliteDatabase::move_repo(int64_t id, std::string_view new_ns, std::string_view new_name) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  if (auto e = sqlite::exec_script(c->get(), "BEGIN IMMEDIATE;"); !e) return e;
  auto body = [&]() -> Result<void> {
    Stmt cur(c->get(), "SELECT type, key_lower FROM repos WHERE id = ?");
    cur.bind(1, id);
    auto row = cur.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return fail(Errc::not_found, "Repository not found", Detail::RepoNotFound);
    std::string type = cur.str(0), old_key = cur.str(1), new_key = key_of(new_ns, new_name);
    Stmt up(c->get(), "UPDATE repos SET ns = ?, name = ?, key_lower = ? WHERE id = ?");
    up.bind(1, new_ns).bind(2, new_name).bind(3, new_key).bind(4, id);
    if (auto e = up.exec(); !e) {
      if (e.error().code == Errc::already_exists)
        return fail(Errc::already_exists,
                    "A " + type + " repository called " + std::string(new_ns) + "/" + std::string(new_name) + " already exists");
      return e;
    }
    Stmt del(c->get(), "DELETE FROM repo_redirects WHERE type = ? AND key_lower = ?");
    del.bind(1, type).bind(2, new_key);
    if (auto e = del.exec(); !e) return e;
    if (old_key != new_key) {
      Stmt red(c->get(),
               "INSERT INTO repo_redirects(type, key_lower, repo_id) VALUES (?,?,?) "
               "ON CONFLICT(type, key_lower) DO UPDATE SET repo_id = excluded.repo_id");
      red.bind(1, type).bind(2, old_key).bind(3, id);
      if (auto e = red.exec(); !e) return e;
    }
    return {};
  };
  auto r = body();
  sqlite::exec_script(c->get(), r ? "COMMIT;" : "ROLLBACK;");
  return r;
}

Result<std::optional<RepoRow>> SqliteDatabase::redirect_of(std::string_view type, std::string_view ns,
                                                           std::string_view name) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "SELECT r.id, r.uid, r.type, r.ns, r.name, r.private, r.gated, r.created_at, r.updated_at "
          "FROM repo_redirects d JOIN repos r ON r.id = d.repo_id WHERE d.type = ? AND d.key_lower = ?");
  st.bind(1, type).bind(2, key_of(ns, name));
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<RepoRow>{};
  return std::optional<RepoRow>{repo_from_row(st)};
}

Result<void> SqliteDatabase::update_repo_settings(int64_t id, std::optional<bool> is_private,
                                                  std::optional<std::string> gated) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  if (is_private) {
    Stmt st(c->get(), "UPDATE repos SET private = ? WHERE id = ?");
    st.bind(1, *is_private).bind(2, id);
    if (auto e = st.exec(); !e) return e;
  }
  if (gated) {
    Stmt st(c->get(), "UPDATE repos SET gated = ? WHERE id = ?");
    st.bind(1, *gated).bind(2, id);
    if (auto e = st.exec(); !e) return e;
  }
  return {};
}

Result<void> SqliteDatabase::touch_repo(int64_t id, int64_t at) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "UPDATE repos SET updated_at = ? WHERE id = ?");
  st.bind(1, at).bind(2, id);
  return st.exec();
}

}  // namespace hub::storage::db
