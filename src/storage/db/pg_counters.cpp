// Download and like counters in PostgreSQL (issue 5); the model is sqlite_counters.cpp's: day
// buckets in download_days, windowed figures in repo_search refreshed for the repos a batch
// touches. Under READ COMMITTED each statement sees what committed before it started, so the
// writers below lock the repo_search row first: a like or a batch that commits while another
// one is between its insert and its recount is then always counted.
#include <algorithm>

#include "storage/db/pg_database.h"

namespace hub::storage::db {

namespace {
constexpr int64_t kDayMs = 86'400'000;

Result<void> refresh(PGconn* c, int64_t repo_id, int64_t today) {
  std::string where = repo_id ? "repo_id = $3"
                              : "repo_id IN (SELECT repo_id FROM download_days UNION SELECT repo_id FROM likes "
                                "UNION SELECT repo_id FROM repo_search WHERE downloads <> 0 OR trending <> 0)";
  pg::Params p;
  p.add(today).add((today - 6) * kDayMs);
  if (repo_id) p.add(repo_id);
  return pg::run(c,
                 "UPDATE repo_search SET "
                 "downloads = (SELECT COALESCE(SUM(n), 0) FROM download_days d WHERE d.repo_id = repo_search.repo_id "
                 "AND d.day > $1::bigint - 30), "
                 "trending = (SELECT COALESCE(SUM(n), 0) FROM download_days d WHERE d.repo_id = repo_search.repo_id "
                 "AND d.day > $1::bigint - 7) + (SELECT count(*) FROM likes l WHERE l.repo_id = repo_search.repo_id "
                 "AND l.created_at >= $2) WHERE " + where,
                 p);
}

Result<void> lock_search_row(PGconn* c, int64_t repo_id) {
  return pg::run(c, "SELECT 1 FROM repo_search WHERE repo_id = $1 FOR UPDATE", pg::Params().add(repo_id));
}
}  // namespace

Result<void> PgDatabase::add_downloads(const std::vector<DownloadCount>& counts, int64_t today) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  // Repo order: two batches over the same repos lock them in the same order (no deadlock).
  std::vector<DownloadCount> sorted;
  for (const auto& d : counts)
    if (d.n > 0) sorted.push_back(d);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const DownloadCount& a, const DownloadCount& b) { return a.repo_id < b.repo_id; });
  PGconn* conn = c->get();
  return pg::in_transaction(conn, [&]() -> Result<void> {
    std::vector<int64_t> touched;
    for (const auto& d : sorted) {
      if (touched.empty() || touched.back() != d.repo_id) {
        if (auto e = lock_search_row(conn, d.repo_id); !e) return e;
        touched.push_back(d.repo_id);
      }
      // A repo deleted since the request was counted is skipped, not an error for the batch.
      if (auto e = pg::run(conn,
                           "INSERT INTO download_days(repo_id, day, n) SELECT $1, $2, $3 WHERE EXISTS "
                           "(SELECT 1 FROM repos WHERE id = $1) "
                           "ON CONFLICT (repo_id, day) DO UPDATE SET n = download_days.n + excluded.n",
                           pg::Params().add(d.repo_id).add(d.day).add(d.n));
          !e)
        return e;
      if (auto e = pg::run(conn, "UPDATE repo_search SET downloads_all = downloads_all + $1 WHERE repo_id = $2",
                           pg::Params().add(d.n).add(d.repo_id));
          !e)
        return e;
    }
    for (int64_t id : touched)
      if (auto e = refresh(conn, id, today); !e) return e;
    return {};
  });
}

Result<void> PgDatabase::refresh_stats(int64_t today) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return pg::in_transaction(c->get(), [&] { return refresh(c->get(), 0, today); });
}

Result<RepoStats> PgDatabase::repo_stats(int64_t repo_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "SELECT downloads, downloads_all, likes, trending FROM repo_search WHERE repo_id = $1",
                    pg::Params().add(repo_id));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "Repository not found", Detail::RepoNotFound);
  return RepoStats{r->i64(0, 0), r->i64(0, 1), r->i64(0, 2), r->i64(0, 3)};
}

Result<bool> PgDatabase::set_like(int64_t account_id, int64_t repo_id, bool like, int64_t at) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  PGconn* conn = c->get();
  bool changed = false;
  auto r = pg::in_transaction(conn, [&]() -> Result<void> {
    if (auto e = lock_search_row(conn, repo_id); !e) return e;
    auto w = like ? pg::exec(conn,
                             "INSERT INTO likes(account_id, repo_id, created_at) VALUES ($1,$2,$3) "
                             "ON CONFLICT (account_id, repo_id) DO NOTHING",
                             pg::Params().add(account_id).add(repo_id).add(at))
                  : pg::exec(conn, "DELETE FROM likes WHERE account_id = $1 AND repo_id = $2",
                             pg::Params().add(account_id).add(repo_id));
    if (!w) return std::unexpected(w.error());
    changed = w->affected() > 0;
    if (!changed) return {};
    if (auto e = pg::run(conn,
                         "UPDATE repo_search SET likes = (SELECT count(*) FROM likes WHERE repo_id = $1) "
                         "WHERE repo_id = $1",
                         pg::Params().add(repo_id));
        !e)
      return e;
    return refresh(conn, repo_id, at / kDayMs);
  });
  if (!r) return std::unexpected(r.error());
  return changed;
}

namespace {
Result<std::vector<LikeRow>> like_page(PGconn* c, const char* key_col, const char* other_col, int64_t key,
                                       std::optional<LikeRow> before, int limit) {
  std::string sql = std::string("SELECT repo_id, account_id, created_at FROM likes WHERE ") + key_col + " = $1";
  pg::Params p;
  p.add(key);
  int n = 2;
  if (before) {
    sql += std::string(" AND (created_at, ") + other_col + ") < ($2, $3)";
    p.add(before->at).add(std::string_view(other_col) == "repo_id" ? before->repo_id : before->account_id);
    n = 4;
  }
  sql += std::string(" ORDER BY created_at DESC, ") + other_col + " DESC LIMIT $" + std::to_string(n);
  p.limit(limit);
  auto r = pg::exec(c, sql, p);
  if (!r) return std::unexpected(r.error());
  std::vector<LikeRow> out;
  for (int i = 0; i < r->size(); ++i) out.push_back({r->i64(i, 0), r->i64(i, 1), r->i64(i, 2)});
  return out;
}
}  // namespace

Result<std::vector<LikeRow>> PgDatabase::likes_of_account(int64_t account_id, std::optional<LikeRow> before,
                                                          int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return like_page(c->get(), "account_id", "repo_id", account_id, before, limit);
}

Result<std::vector<LikeRow>> PgDatabase::likers_of_repo(int64_t repo_id, std::optional<LikeRow> before, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  return like_page(c->get(), "repo_id", "account_id", repo_id, before, limit);
}

}  // namespace hub::storage::db
