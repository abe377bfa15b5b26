// Private to storage/db: RAII over libpq connections and results, a bounded connection pool,
// and the few helpers every pg_*.cpp file uses (text parameters, SQLSTATE -> Errc, one
// transaction). Values travel as text (PQexecParams text format): every column the schema
// has is BIGINT or TEXT, so parsing stays trivial and no OID tables are needed.
// Thread-safety: the Pool is thread-safe; a leased connection is used by one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hub::storage::db::pg {

struct ConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;

// Positional parameters ($1, $2, ...), as text; nullopt is SQL NULL.
std::string text_safe(std::string_view v);

class Params {
 public:
  Params& add(int64_t v) { return push(std::to_string(v)); }
  Params& add(int v) { return add(int64_t(v)); }
  Params& add(bool v) { return add(int64_t(v ? 1 : 0)); }
  // PostgreSQL TEXT holds neither NUL bytes nor invalid UTF-8 (SQLite stores both): such
  // input is repaired (NUL dropped, bad sequences -> U+FFFD) rather than failing the write.
  Params& add(std::string_view v) { return push(text_safe(v)); }
  Params& add(const char* v) { return add(std::string_view(v)); }
  Params& add(const std::string& v) { return add(std::string_view(v)); }
  Params& add(const std::optional<std::string>& v) {
    if (!v) return null();
    return add(std::string_view(*v));
  }
  // LIMIT operand: SQLite reads a negative limit as "no limit", PostgreSQL refuses it; NULL
  // is PostgreSQL's "no limit".
  Params& limit(int64_t n) { return n < 0 ? null() : add(n); }
  Params& null() {
    vals_.emplace_back(std::nullopt);
    return *this;
  }
  size_t size() const { return vals_.size(); }
  const std::vector<std::optional<std::string>>& values() const { return vals_; }

 private:
  Params& push(std::string s) {
    vals_.emplace_back(std::move(s));
    return *this;
  }
  std::vector<std::optional<std::string>> vals_;
};

// A text[] literal ({"a","b\"c"}) for a parameter cast to text[]: every element quoted, so
// any string (commas, braces, quotes, control characters) round-trips.
std::string array_literal(const std::vector<std::string>& items);

// A finished statement's result: rows of text cells.
class Rows {
 public:
  explicit Rows(PGresult* r = nullptr) : r_(r, PQclear) {}
  int size() const { return r_ ? PQntuples(r_.get()) : 0; }
  bool empty() const { return size() == 0; }
  bool is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string str(int row, int col) const {
    return std::string(PQgetvalue(r_.get(), row, col), size_t(PQgetlength(r_.get(), row, col)));
  }
  std::optional<std::string> opt(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return str(row, col);
  }
  int64_t i64(int row, int col) const;
  // Rows a write touched (INSERT/UPDATE/DELETE).
  int64_t affected() const;
  const PGresult* get() const { return r_.get(); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

// SQLSTATE class 23 (integrity) -> already_exists, as SQLite maps SQLITE_CONSTRAINT;
// 40xxx (serialization, deadlock) and 55P03 (lock) -> conflict; a lost connection -> io.
Error to_error(PGconn* c, const PGresult* r, std::string_view what);

// Runs one statement. Errors become Result values; the connection stays usable unless the
// server went away (the pool then reconnects it).
Result<Rows> exec(PGconn* c, std::string_view sql, const Params& p = {});

// exec for writes whose rows nobody reads.
Result<void> run(PGconn* c, std::string_view sql, const Params& p = {});

// Runs a script of several statements without parameters (migrations).
Result<void> exec_script(PGconn* c, const char* sql);

// Runs body inside BEGIN ... COMMIT on c, rolling back when body (or COMMIT) fails.
Result<void> in_transaction(PGconn* c, const std::function<Result<void>()>& body);

class Pool {
 public:
  Pool(std::string conninfo, size_t n) : conninfo_(std::move(conninfo)), max_(n) {}
  Result<void> init();  // opens the first connection, so a bad URL fails at start

  class Lease {
   public:
    Lease(Pool* p, ConnPtr c) : pool_(p), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (c_) pool_->give_back(std::move(c_));
    }
    PGconn* get() const { return c_.get(); }

   private:
    Pool* pool_;
    ConnPtr c_;
  };
  // A connection that was healthy when handed out: one the server dropped while it sat idle
  // (restart, pg_terminate_backend, idle timeout) is reopened first.
  Result<Lease> take();
  size_t open_count();
  // A connection of its own, outside the pool's count (Database::lock holds one per lock).
  Result<ConnPtr> open_dedicated() { return open_one(); }

 private:
  Result<ConnPtr> open_one();
  void give_back(ConnPtr c);

  std::string conninfo_;
  size_t max_;
  size_t open_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ConnPtr> free_;
};

// The URL as libpq takes it, with hubd's own query parameters removed: pool=N (connections,
// default 8). "postgres://" and "postgresql://" URLs pass through otherwise untouched.
struct Url {
  std::string conninfo;
  size_t pool = 8;
};
Result<Url> parse_url(std::string_view url);

}  // namespace hub::storage::db::pg
