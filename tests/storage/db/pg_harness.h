// A throwaway PostgreSQL server for tests: initdb in a temp dir, postgres listening only on a
// unix socket in that dir (no port to collide on), fsync off. Started once per test process,
// stopped (immediate) and deleted at exit. As root, postgres refuses to run, so the server runs
// as the "postgres" user Debian's package creates (else "nobody") via runuser. Each test gets
// its own schema (url(schema)): instant to create, and migrations start from nothing.
// Binaries: $HUBD_PG_BINDIR, else the newest /usr/lib/postgresql/*/bin. available() is false
// (with why()) when there are none; tests then GTEST_SKIP.
#pragma once

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

namespace hub::testing {

class PgServer {
 public:
  static PgServer& shared() {
    static PgServer s;
    return s;
  }
  bool available() const { return ok_; }
  const std::string& why() const { return why_; }
  const std::string& dir() const { return dir_; }
  // A libpq URL whose connections use their own, fresh schema.
  std::string url(const std::string& schema) {
    std::lock_guard lk(mu_);
    psql("CREATE SCHEMA " + schema);
    return "postgresql:///hub?host=" + dir_ + "&user=hub&options=-csearch_path%3D" + schema + "%2Cpublic";
  }
  // Runs SQL through psql as the superuser; returns the exit status.
  int psql(const std::string& sql) {
    std::string cmd = bin_ + "/psql -X -q -v ON_ERROR_STOP=1 \"postgresql:///hub?host=" + dir_ + "&user=hub\" -c " + quote(sql) +
                      " >/dev/null 2>&1";
    return std::system(cmd.c_str());
  }
  ~PgServer() {
    if (!dir_.empty()) {
      if (started_) std::system((as_user(bin_ + "/pg_ctl") + " -D " + dir_ + "/data -m immediate stop >/dev/null 2>&1").c_str());
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

 private:
  PgServer() {
    bin_ = find_bindir();
    if (bin_.empty()) {
      why_ = "PostgreSQL server binaries not found (install postgresql, or set HUBD_PG_BINDIR)";
      return;
    }
    char tmpl[] = "/tmp/hubd-pg-XXXXXX";
    if (!::mkdtemp(tmpl)) {
      why_ = "mkdtemp failed";
      return;
    }
    dir_ = tmpl;
    if (::geteuid() == 0) {
      const char* names[] = {"postgres", "nobody"};
      for (const char* n : names)
        if (passwd* pw = ::getpwnam(n)) {
          user_ = n;
          if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) user_.clear();
          break;
        }
      if (user_.empty()) {
        why_ = "running as root and no postgres/nobody user to run the server as";
        return;
      }
    }
    std::string log = dir_ + "/log";
    std::string init = as_user(bin_ + "/initdb") + " -D " + dir_ + "/data -U hub --auth=trust -E UTF8 --no-locale --no-sync >" +
                       log + ".init 2>&1";
    if (std::system(init.c_str()) != 0) {
      why_ = "initdb failed: see " + log + ".init";
      return;
    }
    std::string opts = "-k " + dir_ + " -c listen_addresses= -c fsync=off -c synchronous_commit=off "
                       "-c full_page_writes=off -c max_connections=200";
    std::string start = as_user(bin_ + "/pg_ctl") + " -D " + dir_ + "/data -l " + log + " -w -t 120 -o " + quote(opts) +
                        " start >/dev/null 2>&1";
    if (std::system(start.c_str()) != 0) {
      why_ = "pg_ctl start failed: see " + log;
      return;
    }
    started_ = true;
    // One database for all tests; the extension lives in public, each test's schema sees it.
    std::system((bin_ + "/psql -X -q \"postgresql:///postgres?host=" + dir_ + "&user=hub\" -c 'CREATE DATABASE hub' >/dev/null 2>&1").c_str());
    if (psql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public") != 0) {
      why_ = "cannot create extension pg_trgm (install postgresql-contrib)";
      return;
    }
    ok_ = true;
  }

  static std::string find_bindir() {
    if (const char* e = std::getenv("HUBD_PG_BINDIR"); e && *e) return e;
    std::string best;
    int best_v = -1;
    std::error_code ec;
    for (auto& d : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
      int v = std::atoi(d.path().filename().c_str());
      if (v > best_v && std::filesystem::exists(d.path() / "bin" / "initdb")) best_v = v, best = (d.path() / "bin").string();
    }
    return best;
  }
  static std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
      if (c == '\'') out += "'\\''";
      else out += c;
    }
    return out + "'";
  }
  std::string as_user(const std::string& cmd) const { return user_.empty() ? cmd : "runuser -u " + user_ + " -- " + cmd; }

  std::mutex mu_;
  std::string bin_, dir_, user_, why_;
  bool ok_ = false, started_ = false;
};

}  // namespace hub::testing
