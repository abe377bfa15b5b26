// Download and like counters in SQLite (issue 5). Downloads live in per-day buckets
// (download_days); the figures the listing sorts on (downloads over 30 days, all-time,
// likes, trending = downloads + new likes over 7 days) are kept in repo_search and refreshed
// for the repos a batch touches, and for all repos once a day as buckets age out.
#include <algorithm>
#include <functional>

#include "storage/db/sqlite_database.h"

namespace hub::storage::db {

using sqlite::Stmt;

namespace {
constexpr int64_t kDayMs = 86'400'000;

// Recomputes the windowed figures of one repo (or of every repo with any activity, when
// repo_id is 0) as of `today`.
Result<void> refresh(sqlite3* c, int64_t repo_id, int64_t today) {
  std::string where = repo_id ? "repo_id = ?3"
                              : "repo_id IN (SELECT repo_id FROM download_days UNION SELECT repo_id FROM likes "
                                "UNION SELECT repo_id FROM repo_search WHERE downloads <> 0 OR trending <> 0)";
  Stmt st(c,
          "UPDATE repo_search SET "
          "downloads = (SELECT COALESCE(SUM(n), 0) FROM download_days d WHERE d.repo_id = repo_search.repo_id "
          "AND d.day > ?1 - 30), "
          "trending = (SELECT COALESCE(SUM(n), 0) FROM download_days d WHERE d.repo_id = repo_search.repo_id "
          "AND d.day > ?1 - 7) + (SELECT count(*) FROM likes l WHERE l.repo_id = repo_search.repo_id "
          "AND l.created_at >= ?2) WHERE " + where);
  st.bind(1, today).bind(2, (today - 6) * kDayMs);
  if (repo_id) st.bind(3, repo_id);
  return st.exec();
}

Result<void> in_transaction(sqlite3* c, const std::function<Result<void>()>& body) {
  if (auto e = sqlite::exec_script(c, "BEGIN IMMEDIATE;"); !e) return e;
  auto r = body();
  sqlite::exec_script(c, r ? "COMMIT;" : "ROLLBACK;");
  return r;
}
}  // namespace

Result<void> SqliteDatabase::add_downloads(const std::vector<DownloadCount>& counts, int64_t today) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return in_transaction(c->get(), [&]() -> Result<void> {
    std::vector<int64_t> touched;
    for (const auto& d : counts) {
      if (d.n <= 0) continue;
      // A repo deleted since the request was counted is skipped, not an error for the batch.
      Stmt ins(c->get(),
               "INSERT INTO download_days(repo_id, day, n) SELECT ?1, ?2, ?3 WHERE EXISTS "
               "(SELECT 1 FROM repos WHERE id = ?1) ON CONFLICT(repo_id, day) DO UPDATE SET n = n + excluded.n");
      ins.bind(1, d.repo_id).bind(2, d.day).bind(3, d.n);
      if (auto e = ins.exec(); !e) return e;
      Stmt all(c->get(), "UPDATE repo_search SET downloads_all = downloads_all + ? WHERE repo_id = ?");
      all.bind(1, d.n).bind(2, d.repo_id);
      if (auto e = all.exec(); !e) return e;
      touched.push_back(d.repo_id);
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (int64_t id : touched)
      if (auto e = refresh(c->get(), id, today); !e) return e;
    return {};
  });
}

Result<void> SqliteDatabase::refresh_stats(int64_t today) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return in_transaction(c->get(), [&] { return refresh(c->get(), 0, today); });
}

Result<RepoStats> SqliteDatabase::repo_stats(int64_t repo_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "SELECT downloads, downloads_all, likes, trending FROM repo_search WHERE repo_id = ?");
  st.bind(1, repo_id);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::not_found, "Repository not found", Detail::RepoNotFound);
  return RepoStats{st.i64(0), st.i64(1), st.i64(2), st.i64(3)};
}

Result<bool> SqliteDatabase::set_like(int64_t account_id, int64_t repo_id, bool like, int64_t at) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  bool changed = false;
  auto r = in_transaction(c->get(), [&]() -> Result<void> {
    if (like) {
      Stmt st(c->get(), "INSERT OR IGNORE INTO likes(account_id, repo_id, created_at) VALUES (?,?,?)");
      st.bind(1, account_id).bind(2, repo_id).bind(3, at);
      if (auto e = st.exec(); !e) return e;
    } else {
      Stmt st(c->get(), "DELETE FROM likes WHERE account_id = ? AND repo_id = ?");
      st.bind(1, account_id).bind(2, repo_id);
      if (auto e = st.exec(); !e) return e;
    }
    changed = sqlite3_changes(c->get()) > 0;
    if (!changed) return {};
    Stmt up(c->get(), "UPDATE repo_search SET likes = (SELECT count(*) FROM likes WHERE repo_id = ?1) WHERE repo_id = ?1");
    up.bind(1, repo_id);
    if (auto e = up.exec(); !e) return e;
    return refresh(c->get(), repo_id, at / kDayMs);
  });
  if (!r) return std::unexpected(r.error());
  return changed;
}

namespace {
Result<std::vector<LikeRow>> like_page(sqlite3* c, const char* key_col, const char* other_col, int64_t key,
                                       std::optional<LikeRow> before, int limit) {
  std::string sql = std::string("SELECT repo_id, account_id, created_at FROM likes WHERE ") + key_col + " = ?";
  if (before) sql += std::string(" AND (created_at, ") + other_col + ") < (?, ?)";
  sql += std::string(" ORDER BY created_at DESC, ") + other_col + " DESC LIMIT ?";
  Stmt st(c, sql);
  int i = 1;
  st.bind(i++, key);
  if (before) {
    st.bind(i++, before->at);
    st.bind(i++, std::string_view(other_col) == "repo_id" ? before->repo_id : before->account_id);
  }
  st.bind(i++, int64_t(limit));
  std::vector<LikeRow> out;
  for (;;) {
    auto row = st.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    out.push_back({st.i64(0), st.i64(1), st.i64(2)});
  }
  return out;
}
}  // namespace

Result<std::vector<LikeRow>> SqliteDatabase::likes_of_account(int64_t account_id, std::optional<LikeRow> before,
                                                              int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return like_page(c->get(), "account_id", "repo_id", account_id, before, limit);
}

Result<std::vector<LikeRow>> SqliteDatabase::likers_of_repo(int64_t repo_id, std::optional<LikeRow> before, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return like_page(c->get(), "repo_id", "account_id", repo_id, before, limit);
}

}  // namespace hub::storage::db
