#include "storage/db/sqlite_conn.h"

namespace hub::storage::db::sqlite {

Error to_error(sqlite3* c, int rc, std::string_view what) {
  int base = rc & 0xff;
  std::string msg = std::string(what) + ": " + (c ? sqlite3_errmsg(c) : sqlite3_errstr(rc));
  if (base == SQLITE_CONSTRAINT) return Error{Errc::already_exists, msg, {}};
  if (base == SQLITE_BUSY || base == SQLITE_LOCKED) return Error{Errc::conflict, msg, {}};
  if (base == SQLITE_CORRUPT || base == SQLITE_NOTADB) return Error{Errc::corrupt, msg, {}};
  return Error{Errc::io, msg, {}};
}

Stmt::Stmt(sqlite3* c, std::string_view sql) : c_(c) {
  prepare_rc_ = sqlite3_prepare_v2(c, sql.data(), int(sql.size()), &st_, nullptr);
  if (prepare_rc_ != SQLITE_OK) st_ = nullptr;
}

Stmt::~Stmt() { sqlite3_finalize(st_); }

Stmt& Stmt::bind(int i, int64_t v) {
  if (st_) sqlite3_bind_int64(st_, i, v);
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
  if (st_) sqlite3_bind_text(st_, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Stmt& Stmt::bind_null(int i) {
  if (st_) sqlite3_bind_null(st_, i);
  return *this;
}

Result<bool> Stmt::step() {
  if (!st_) return std::unexpected(to_error(c_, prepare_rc_, "prepare"));
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(to_error(c_, rc, "step"));
}

Result<void> Stmt::exec() {
  for (;;) {
    auto r = step();
    if (!r) return std::unexpected(r.error());
    if (!*r) return {};
  }
}

std::string Stmt::str(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
  if (!p) return {};
  return std::string(p, size_t(sqlite3_column_bytes(st_, col)));
}

Result<void> exec_script(sqlite3* c, const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(c, sql, nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return fail(Errc::io, "sqlite: " + msg);
  }
  return {};
}

Result<ConnPtr> Pool::open_one() {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path_.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  ConnPtr c(raw);
  if (rc != SQLITE_OK) return std::unexpected(to_error(raw, rc, "open " + path_));
  // WAL: readers never block the writer; a CLI on the same file can write while a server runs.
  // busy_timeout first: switching a fresh file to WAL takes a lock another process opening it
  // at the same moment may hold, and without the timeout that fails at once ("locked").
  auto r = exec_script(c.get(),
                       "PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                       "PRAGMA foreign_keys=ON;");
  if (!r) return std::unexpected(r.error());
  return c;
}

Result<void> Pool::init() {
  auto c = open_one();
  if (!c) return std::unexpected(c.error());
  std::lock_guard lk(mu_);
  ++open_;
  free_.push_back(std::move(*c));
  return {};
}

Result<Pool::Lease> Pool::take() {
  std::unique_lock lk(mu_);
  for (;;) {
    if (!free_.empty()) {
      ConnPtr c = std::move(free_.back());
      free_.pop_back();
      return Lease(this, std::move(c));
    }
    if (open_ < max_) {
      ++open_;
      lk.unlock();
      auto c = open_one();
      if (!c) {
        std::lock_guard lk2(mu_);
        --open_;
        return std::unexpected(c.error());
      }
      return Lease(this, std::move(*c));
    }
    cv_.wait(lk);
  }
}

void Pool::give_back(ConnPtr c) {
  {
    std::lock_guard lk(mu_);
    free_.push_back(std::move(c));
  }
  cv_.notify_one();
}

}  // namespace hub::storage::db::sqlite
