// What several hubd processes on one SQLite file share (issue 18): named locks, settings,
// dataset download windows and the index write order. SQLite serves one server process (the
// admin CLI may run beside it), so named locks are in-process mutexes; the rest is in the file.
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "storage/db/sqlite_database.h"

namespace hub::storage::db {

using sqlite::Stmt;

namespace {

// Names held in this process. One table for every SqliteDatabase: two handles on one file
// in one process (tests) must exclude each other too.
struct HeldNames {
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::string, std::less<>> held;
};
HeldNames& held_names() {
  static HeldNames h;
  return h;
}

class SqliteLock final : public Database::Lock {
 public:
  explicit SqliteLock(std::string name) : name_(std::move(name)) {}
  ~SqliteLock() override {
    auto& h = held_names();
    {
      std::lock_guard lk(h.mu);
      h.held.erase(name_);
    }
    h.cv.notify_all();
  }

 private:
  std::string name_;
};

}  // namespace

Result<std::unique_ptr<Database::Lock>> SqliteDatabase::lock(std::string_view name) {
  auto& h = held_names();
  std::unique_lock lk(h.mu);
  h.cv.wait(lk, [&] { return !h.held.contains(name); });
  h.held.emplace(name);
  return std::unique_ptr<Database::Lock>(new SqliteLock(std::string(name)));
}

Result<std::string> SqliteDatabase::setting_or_init(std::string_view key, std::string_view value) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt ins(c->get(), "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING");
  ins.bind(1, key).bind(2, value);
  if (auto e = ins.exec(); !e) return std::unexpected(e.error());
  Stmt get(c->get(), "SELECT value FROM settings WHERE key = ?");
  get.bind(1, key);
  auto row = get.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return fail(Errc::internal, "setting vanished: " + std::string(key));
  return get.str(0);
}

Result<std::vector<bool>> SqliteDatabase::open_download_windows(const std::vector<DownloadVisit>& visits,
                                                                int64_t window_ms) {
  std::vector<bool> opened;
  if (visits.empty()) return opened;
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  if (auto e = sqlite::exec_script(c->get(), "BEGIN IMMEDIATE;"); !e) return std::unexpected(e.error());
  auto body = [&]() -> Result<void> {
    int64_t newest = 0;
    for (const auto& v : visits) {
      // Opens a window where none is, or replaces one that has ended; RETURNING yields a row
      // only when the row was written.
      Stmt up(c->get(),
              "INSERT INTO download_windows(repo_id, visitor, opened_at) "
              "SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM repos WHERE id = ?1) "
              "ON CONFLICT(repo_id, visitor) DO UPDATE SET opened_at = excluded.opened_at "
              "WHERE excluded.opened_at - download_windows.opened_at >= ?4 "
              "RETURNING 1");
      up.bind(1, v.repo_id).bind(2, v.visitor).bind(3, v.at).bind(4, window_ms);
      auto row = up.step();
      if (!row) return std::unexpected(row.error());
      opened.push_back(*row);
      newest = std::max(newest, v.at);
    }
    Stmt prune(c->get(), "DELETE FROM download_windows WHERE opened_at <= ?");
    prune.bind(1, newest - window_ms);
    return prune.exec();
  };
  auto r = body();
  auto end = sqlite::exec_script(c->get(), r ? "COMMIT;" : "ROLLBACK;");
  if (!r) return std::unexpected(r.error());
  if (!end) return std::unexpected(end.error());
  return opened;
}

Result<int64_t> SqliteDatabase::ref_update_seq(int64_t repo_id) {
  auto c = pool_.take();
  if (!c) return std::unexpected(c.error());
  Stmt st(c->get(), "SELECT COALESCE(MAX(id), 0) FROM ref_updates WHERE repo_id = ?");
  st.bind(1, repo_id);
  auto row = st.step();
  if (!row) return std::unexpected(row.error());
  return *row ? st.i64(0) : 0;
}

}  // namespace hub::storage::db
