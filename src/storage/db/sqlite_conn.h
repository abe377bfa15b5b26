// Private to storage/db: RAII over sqlite3 connections and statements, and a small pool.
// A Stmt binds by position and steps; errors become Result values. A connection is used by
// one thread at a time (the pool hands it out exclusively).
#pragma once

#include <sqlite3.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hub::storage::db::sqlite {

struct ConnDeleter {
  void operator()(sqlite3* c) const { sqlite3_close_v2(c); }
};
using ConnPtr = std::unique_ptr<sqlite3, ConnDeleter>;

Error to_error(sqlite3* c, int rc, std::string_view what);

class Stmt {
 public:
  Stmt(sqlite3* c, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return st_ != nullptr; }
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, std::string_view v);
  Stmt& bind_null(int i);
  // Without this, a string literal would pick the bool overload (pointer-to-bool conversion).
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, bool v) { return bind(i, int64_t(v)); }
  Stmt& bind(int i, int v) { return bind(i, int64_t(v)); }

  // One step: true = a row is available, false = done.
  Result<bool> step();
  // Runs to completion (for writes).
  Result<void> exec();

  int64_t i64(int col) const { return sqlite3_column_int64(st_, col); }
  std::string str(int col) const;
  bool is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }

 private:
  sqlite3* c_;
  sqlite3_stmt* st_ = nullptr;
  int prepare_rc_ = SQLITE_OK;
};

Result<void> exec_script(sqlite3* c, const char* sql);

class Pool {
 public:
  Pool(std::string path, size_t n) : path_(std::move(path)), max_(n) {}
  Result<void> init();  // opens the first connection (so errors surface early)

  class Lease {
   public:
    Lease(Pool* p, ConnPtr c) : pool_(p), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (c_) pool_->give_back(std::move(c_));
    }
    sqlite3* get() const { return c_.get(); }

   private:
    Pool* pool_;
    ConnPtr c_;
  };
  Result<Lease> take();

 private:
  Result<ConnPtr> open_one();
  void give_back(ConnPtr c);

  std::string path_;
  size_t max_;
  size_t open_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ConnPtr> free_;
};

}  // namespace hub::storage::db::sqlite
