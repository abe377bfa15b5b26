// Xet CAS tables in PostgreSQL (migration 7), as sqlite_xet.cpp.
#include "storage/db/pg_database.h"

namespace hub::storage::db {

namespace {

constexpr const char* kXorbCols = "hash, sha256, size, unpacked, num_chunks, chunks, created_at";
constexpr const char* kFileCols = "hash, sha256, size, terms, created_at";

XetXorbRow xorb_of(const pg::Rows& r, int i) {
  return XetXorbRow{r.str(i, 0), r.str(i, 1), uint64_t(r.i64(i, 2)), uint64_t(r.i64(i, 3)), uint64_t(r.i64(i, 4)),
                    r.str(i, 5), r.i64(i, 6)};
}
XetFileRow file_of(const pg::Rows& r, int i) {
  return XetFileRow{r.str(i, 0), r.str(i, 1), uint64_t(r.i64(i, 2)), r.str(i, 3), r.i64(i, 4)};
}

Result<void> link_xorb(PGconn* c, std::string_view xorb, int64_t repo_id, int64_t uploader, int64_t at) {
  return pg::run(c,
                 "INSERT INTO xet_xorb_repos(xorb, repo_id, uploader_id, created_at) VALUES ($1,$2,$3,$4) "
                 "ON CONFLICT (xorb, repo_id) DO NOTHING",
                 pg::Params().add(xorb).add(repo_id).add(uploader).add(at));
}

}  // namespace

Result<bool> PgDatabase::put_xet_xorb(const XetXorbRow& x, int64_t repo_id, int64_t uploader_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  bool inserted = false;
  auto r = pg::in_transaction(c->get(), [&]() -> Result<void> {
    auto ins = pg::exec(c->get(),
                        std::string("INSERT INTO xet_xorbs(") + kXorbCols +
                            ") VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (hash) DO NOTHING",
                        pg::Params()
                            .add(x.hash)
                            .add(x.sha256)
                            .add(int64_t(x.size))
                            .add(int64_t(x.unpacked))
                            .add(int64_t(x.num_chunks))
                            .add(x.chunks)
                            .add(x.created_at));
    if (!ins) return std::unexpected(ins.error());
    inserted = ins->affected() > 0;
    return link_xorb(c->get(), x.hash, repo_id, uploader_id, x.created_at);
  });
  if (!r) return std::unexpected(r.error());
  return inserted;
}

Result<XetXorbRow> PgDatabase::xet_xorb(std::string_view hash) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), std::string("SELECT ") + kXorbCols + " FROM xet_xorbs WHERE hash = $1",
                    pg::Params().add(hash));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "no such xorb");
  return xorb_of(*r, 0);
}

Result<std::vector<int64_t>> PgDatabase::xet_xorb_repos(std::string_view hash, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "SELECT repo_id FROM xet_xorb_repos WHERE xorb = $1 ORDER BY repo_id LIMIT $2",
                    pg::Params().add(hash).limit(limit));
  if (!r) return std::unexpected(r.error());
  std::vector<int64_t> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(r->i64(i, 0));
  return out;
}

Result<bool> PgDatabase::put_xet_shard(const XetShardUpload& s) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  PGconn* db = c->get();
  bool inserted = false;
  auto r = pg::in_transaction(db, [&]() -> Result<void> {
    auto sh = pg::exec(db,
                       "INSERT INTO xet_shards(sha256, size, repo_id, uploader_id, created_at) VALUES ($1,$2,$3,$4,$5) "
                       "ON CONFLICT (sha256) DO NOTHING",
                       pg::Params().add(s.sha256).add(int64_t(s.size)).add(s.repo_id).add(s.uploader_id).add(s.at));
    if (!sh) return std::unexpected(sh.error());
    inserted = sh->affected() > 0;
    for (const auto& f : s.files) {
      if (auto e = pg::run(db,
                           std::string("INSERT INTO xet_files(") + kFileCols +
                               ") VALUES ($1,$2,$3,$4,$5) ON CONFLICT (hash) DO NOTHING",
                           pg::Params().add(f.hash).add(f.sha256).add(int64_t(f.size)).add(f.terms).add(f.created_at));
          !e)
        return e;
      if (auto e = pg::run(db,
                           "INSERT INTO xet_file_repos(file, repo_id, uploader_id, shard, created_at) "
                           "VALUES ($1,$2,$3,$4,$5) ON CONFLICT (file, repo_id) DO NOTHING",
                           pg::Params().add(f.hash).add(s.repo_id).add(s.uploader_id).add(s.sha256).add(s.at));
          !e)
        return e;
    }
    for (const auto& x : s.xorbs)
      if (auto e = link_xorb(db, x, s.repo_id, s.uploader_id, s.at); !e) return e;
    for (const auto& [chunk, xorb] : s.dedup)
      if (auto e = pg::run(db, "INSERT INTO xet_dedup(chunk, xorb) VALUES ($1,$2) ON CONFLICT (chunk, xorb) DO NOTHING",
                           pg::Params().add(chunk).add(xorb));
          !e)
        return e;
    return {};
  });
  if (!r) return std::unexpected(r.error());
  return inserted;
}

Result<XetFileRow> PgDatabase::xet_file(std::string_view hash) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), std::string("SELECT ") + kFileCols + " FROM xet_files WHERE hash = $1",
                    pg::Params().add(hash));
  if (!r) return std::unexpected(r.error());
  if (r->empty()) return fail(Errc::not_found, "no such Xet file");
  return file_of(*r, 0);
}

Result<bool> PgDatabase::repo_has_xet_file(int64_t repo_id, std::string_view hash) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "SELECT 1 FROM xet_file_repos WHERE repo_id = $1 AND file = $2",
                    pg::Params().add(repo_id).add(hash));
  if (!r) return std::unexpected(r.error());
  return !r->empty();
}

Result<std::vector<XetFileRow>> PgDatabase::xet_files_by_sha256(int64_t repo_id, std::string_view sha256) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(),
                    "SELECT f.hash, f.sha256, f.size, f.terms, f.created_at FROM xet_files f "
                    "JOIN xet_file_repos r ON r.file = f.hash WHERE f.sha256 = $1 AND r.repo_id = $2 "
                    "ORDER BY r.created_at DESC, f.hash",
                    pg::Params().add(sha256).add(repo_id));
  if (!r) return std::unexpected(r.error());
  std::vector<XetFileRow> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(file_of(*r, i));
  return out;
}

Result<std::vector<std::string>> PgDatabase::xet_dedup_xorbs(std::string_view chunk, int limit) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto r = pg::exec(c->get(), "SELECT xorb FROM xet_dedup WHERE chunk = $1 ORDER BY xorb LIMIT $2",
                    pg::Params().add(chunk).limit(limit));
  if (!r) return std::unexpected(r.error());
  std::vector<std::string> out;
  for (int i = 0; i < r->size(); ++i) out.push_back(r->str(i, 0));
  return out;
}

}  // namespace hub::storage::db
