// Xet CAS tables in SQLite (migration 7): xorbs, files, shards, their repo links, the dedup index.
#include <sqlite3.h>

#include <functional>

#include "storage/db/sqlite_database.h"

namespace hub::storage::db {

using sqlite::Stmt;

namespace {

constexpr const char* kXorbCols = "hash, sha256, size, unpacked, num_chunks, chunks, created_at";
constexpr const char* kFileCols = "hash, sha256, size, terms, created_at";

XetXorbRow xorb_of(const Stmt& st) {
  return XetXorbRow{st.str(0), st.str(1), uint64_t(st.i64(2)), uint64_t(st.i64(3)), uint64_t(st.i64(4)), st.str(5),
                    st.i64(6)};
}
XetFileRow file_of(const Stmt& st) {
  return XetFileRow{st.str(0), st.str(1), uint64_t(st.i64(2)), st.str(3), st.i64(4)};
}

// BEGIN IMMEDIATE … COMMIT/ROLLBACK around body.
template <class T>
Result<T> in_tx(sqlite3* c, const std::function<Result<T>()>& body) {
  if (auto e = sqlite::exec_script(c, "BEGIN IMMEDIATE;"); !e) return std::unexpected(e.error());
  auto r = body();
  sqlite::exec_script(c, r ? "COMMIT;" : "ROLLBACK;");
  return r;
}

Result<void> link_xorb(sqlite3* c, std::string_view xorb, int64_t repo_id, int64_t uploader, int64_t at) {
  Stmt st(c, "INSERT INTO xet_xorb_repos(xorb, repo_id, uploader_id, created_at) VALUES (?,?,?,?) "
             "ON CONFLICT(xorb, repo_id) DO NOTHING");
  st.bind(1, xorb).bind(2, repo_id).bind(3, uploader).bind(4, at);
  return st.exec();
}

}  // namespace

Result<bool> SqliteDatabase::put_xet_xorb(const XetXorbRow& x, int64_t repo_id, int64_t uploader_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return in_tx<bool>(c->get(), [&]() -> Result<bool> {
    Stmt ins(c->get(), std::string("INSERT INTO xet_xorbs(") + kXorbCols +
                           ") VALUES (?,?,?,?,?,?,?) ON CONFLICT(hash) DO NOTHING");
    ins.bind(1, x.hash).bind(2, x.sha256).bind(3, int64_t(x.size)).bind(4, int64_t(x.unpacked));
    ins.bind(5, int64_t(x.num_chunks)).bind(6, x.chunks).bind(7, x.created_at);
    if (auto e = ins.exec(); !e) return std::unexpected(e.error());
    bool inserted = sqlite3_changes(c->get()) > 0;
    if (auto e = link_xorb(c->get(), x.hash, repo_id, uploader_id, x.created_at); !e) return std::unexpected(e.error());
    return inserted;
  });
}

Result<XetXorbRow> SqliteDatabase::xet_xorb(std::string_view hash) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kXorbCols + " FROM xet_xorbs WHERE hash = ?");
  st.bind(1, hash);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "no such xorb");
  return xorb_of(st);
}

Result<std::vector<int64_t>> SqliteDatabase::xet_xorb_repos(std::string_view hash, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "SELECT repo_id FROM xet_xorb_repos WHERE xorb = ? ORDER BY repo_id LIMIT ?");
  st.bind(1, hash).bind(2, int64_t(limit));
  std::vector<int64_t> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(st.i64(0));
  }
  return out;
}

Result<bool> SqliteDatabase::put_xet_shard(const XetShardUpload& s) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  sqlite3* db = c->get();
  return in_tx<bool>(db, [&]() -> Result<bool> {
    Stmt sh(db, "INSERT INTO xet_shards(sha256, size, repo_id, uploader_id, created_at) VALUES (?,?,?,?,?) "
                "ON CONFLICT(sha256) DO NOTHING");
    sh.bind(1, s.sha256).bind(2, int64_t(s.size)).bind(3, s.repo_id).bind(4, s.uploader_id).bind(5, s.at);
    if (auto e = sh.exec(); !e) return std::unexpected(e.error());
    bool inserted = sqlite3_changes(db) > 0;
    for (const auto& f : s.files) {
      Stmt fi(db, std::string("INSERT INTO xet_files(") + kFileCols + ") VALUES (?,?,?,?,?) ON CONFLICT(hash) DO NOTHING");
      fi.bind(1, f.hash).bind(2, f.sha256).bind(3, int64_t(f.size)).bind(4, f.terms).bind(5, f.created_at);
      if (auto e = fi.exec(); !e) return std::unexpected(e.error());
      Stmt li(db, "INSERT INTO xet_file_repos(file, repo_id, uploader_id, shard, created_at) VALUES (?,?,?,?,?) "
                  "ON CONFLICT(file, repo_id) DO NOTHING");
      li.bind(1, f.hash).bind(2, s.repo_id).bind(3, s.uploader_id).bind(4, s.sha256).bind(5, s.at);
      if (auto e = li.exec(); !e) return std::unexpected(e.error());
    }
    for (const auto& x : s.xorbs)
      if (auto e = link_xorb(db, x, s.repo_id, s.uploader_id, s.at); !e) return std::unexpected(e.error());
    for (const auto& [chunk, xorb] : s.dedup) {
      Stmt d(db, "INSERT INTO xet_dedup(chunk, xorb) VALUES (?,?) ON CONFLICT(chunk, xorb) DO NOTHING");
      d.bind(1, chunk).bind(2, xorb);
      if (auto e = d.exec(); !e) return std::unexpected(e.error());
    }
    return inserted;
  });
}

Result<XetFileRow> SqliteDatabase::xet_file(std::string_view hash) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), std::string("SELECT ") + kFileCols + " FROM xet_files WHERE hash = ?");
  st.bind(1, hash);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "no such Xet file");
  return file_of(st);
}

Result<bool> SqliteDatabase::repo_has_xet_file(int64_t repo_id, std::string_view hash) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "SELECT 1 FROM xet_file_repos WHERE repo_id = ? AND file = ?");
  st.bind(1, repo_id).bind(2, hash);
  return st.step();
}

Result<std::vector<XetFileRow>> SqliteDatabase::xet_files_by_sha256(int64_t repo_id, std::string_view sha256) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(),
          "SELECT f.hash, f.sha256, f.size, f.terms, f.created_at FROM xet_files f "
          "JOIN xet_file_repos r ON r.file = f.hash WHERE f.sha256 = ? AND r.repo_id = ? "
          "ORDER BY r.created_at DESC, f.hash");
  st.bind(1, sha256).bind(2, repo_id);
  std::vector<XetFileRow> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(file_of(st));
  }
  return out;
}

Result<std::vector<std::string>> SqliteDatabase::xet_dedup_xorbs(std::string_view chunk, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "SELECT xorb FROM xet_dedup WHERE chunk = ? ORDER BY xorb LIMIT ?");
  st.bind(1, chunk).bind(2, int64_t(limit));
  std::vector<std::string> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back(st.str(0));
  }
  return out;
}

}  // namespace hub::storage::db
