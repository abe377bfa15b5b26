// What several hubd nodes on one PostgreSQL database share (issue 18): named locks (session
// advisory locks), settings, dataset download windows and the index write order.
#include "storage/db/pg_database.h"

namespace hub::storage::db {

namespace {
// Advisory lock keys come from the name, hashed by the server; the prefix keeps them apart
// from the migration lock's fixed key.
constexpr const char* kLockKey = "hashtextextended('hubd-lock:' || $1::text, 0)";
constexpr size_t kIdleLockConns = 8;
}  // namespace

// Holds the advisory lock on its own connection; unlocking on a dead connection is moot (the
// server released the lock when the session ended).
class PgLock final : public Database::Lock {
 public:
  PgLock(PgDatabase* db, pg::ConnPtr c, std::string name) : db_(db), c_(std::move(c)), name_(std::move(name)) {}
  ~PgLock() override {
    auto r = pg::exec(c_.get(), std::string("SELECT pg_advisory_unlock(") + kLockKey + ")", pg::Params().add(name_));
    if (!r || PQstatus(c_.get()) != CONNECTION_OK) return;  // c_ closes; the session's locks go with it
    std::lock_guard lk(db_->lock_conns_mu_);
    if (db_->lock_conns_.size() < kIdleLockConns) db_->lock_conns_.push_back(std::move(c_));
  }

 private:
  PgDatabase* db_;
  pg::ConnPtr c_;
  std::string name_;
};

Result<std::unique_ptr<Database::Lock>> PgDatabase::lock(std::string_view name) {
  pg::ConnPtr c;
  {
    std::lock_guard lk(lock_conns_mu_);
    if (!lock_conns_.empty()) {
      c = std::move(lock_conns_.back());
      lock_conns_.pop_back();
    }
  }
  if (c && PQstatus(c.get()) != CONNECTION_OK) c.reset();
  if (!c) {
    auto fresh = pool_.open_dedicated();
    if (!fresh) return std::unexpected(fresh.error());
    c = std::move(*fresh);
  }
  auto r = pg::exec(c.get(), std::string("SELECT pg_advisory_lock(") + kLockKey + ")", pg::Params().add(name));
  if (!r) return std::unexpected(r.error());
  return std::unique_ptr<Database::Lock>(new PgLock(this, std::move(c), std::string(name)));
}

Result<std::string> PgDatabase::setting_or_init(std::string_view key, std::string_view value) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  // ON CONFLICT DO NOTHING waits for a concurrent inserter of the same key to commit, so the
  // SELECT after it sees the winner's value.
  if (auto e = pg::run(c->get(), "INSERT INTO settings(key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                       pg::Params().add(key).add(value));
      !e)
    return std::unexpected(e.error());
  auto rows = pg::exec(c->get(), "SELECT value FROM settings WHERE key = $1", pg::Params().add(key));
  if (!rows) return std::unexpected(rows.error());
  if (rows->empty()) return fail(Errc::internal, "setting vanished: " + std::string(key));
  return rows->str(0, 0);
}

Result<std::vector<bool>> PgDatabase::open_download_windows(const std::vector<DownloadVisit>& visits,
                                                            int64_t window_ms) {
  std::vector<bool> opened;
  if (visits.empty()) return opened;
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  PGconn* conn = c->get();
  auto r = pg::in_transaction(conn, [&]() -> Result<void> {
    int64_t newest = 0;
    for (const auto& v : visits) {
      // The row lock ON CONFLICT takes orders two nodes' visits of one window: the second
      // sees the first's opened_at and does not count.
      auto row = pg::exec(conn,
                          "INSERT INTO download_windows(repo_id, visitor, opened_at) "
                          "SELECT $1::bigint, $2::text, $3::bigint WHERE EXISTS (SELECT 1 FROM repos WHERE id = $1::bigint) "
                          "ON CONFLICT (repo_id, visitor) DO UPDATE SET opened_at = excluded.opened_at "
                          "WHERE excluded.opened_at - download_windows.opened_at >= $4::bigint "
                          "RETURNING 1",
                          pg::Params().add(v.repo_id).add(v.visitor).add(v.at).add(window_ms));
      if (!row) return std::unexpected(row.error());
      opened.push_back(!row->empty());
      newest = std::max(newest, v.at);
    }
    return pg::run(conn, "DELETE FROM download_windows WHERE opened_at <= $1::bigint", pg::Params().add(newest - window_ms));
  });
  if (!r) return std::unexpected(r.error());
  return opened;
}

Result<int64_t> PgDatabase::ref_update_seq(int64_t repo_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  auto rows = pg::exec(c->get(), "SELECT COALESCE(MAX(id), 0) FROM ref_updates WHERE repo_id = $1",
                       pg::Params().add(repo_id));
  if (!rows) return std::unexpected(rows.error());
  return rows->i64(0, 0);
}

}  // namespace hub::storage::db
