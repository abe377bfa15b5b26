// Shared fixture of the explore tests (indexer, search, counters): a real Hub (SQLite or, with
// HUBD_TEST_DB=postgres, PostgreSQL from tests/storage/db/pg_harness.h; local
// blob store, bare git repos) in a temp directory, users, repos, and commits made with
// storage::git::CommitBuilder then passed through on_refs_updated as every ref change is.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "core/time.h"
#include "services/accounts.h"
#include "services/auth.h"
#include "services/hub.h"
#include "services/refs_changed.h"
#include "services/repos.h"
#include "storage/git/commit_builder.h"
#include "storage/git/repo.h"
#include "storage/db/pg_harness.h"

namespace hub::services::testing {

class ExploreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hubd-explore-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    HubConfig cfg;
    cfg.data_dir = dir_;
    // HUBD_TEST_DB=postgres: the same cases on PostgreSQL (ctest entry services_explore_pg).
    if (const char* e = std::getenv("HUBD_TEST_DB"); e && std::string_view(e) == "postgres") {
      auto& pg = hub::testing::PgServer::shared();
      if (!pg.available()) GTEST_SKIP() << pg.why();
      pg_schema_ = "t_" + std::string(std::filesystem::path(dir_).filename()).substr(13);
      cfg.db_url = pg.url(pg_schema_);
    }
    auto h = Hub::open(cfg);
    ASSERT_TRUE(h) << h.error().message;
    hub_ = std::move(*h);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs SQL straight on the database, outside hubd (to fake an older hubd's state), on
  // whichever backend the case runs; foreign keys are not enforced there (a plain sqlite3
  // connection leaves them off; on PostgreSQL session_replication_role=replica does so).
  bool raw_sql(const std::string& sql) {
    if (!pg_schema_.empty())
      return hub::testing::PgServer::shared().psql("SET search_path TO " + pg_schema_ +
                                                   "; SET session_replication_role = replica; " + sql) == 0;
    sqlite3* raw = nullptr;
    bool ok = sqlite3_open((dir_ + "/hubd.db").c_str(), &raw) == SQLITE_OK &&
              sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    if (!ok) ADD_FAILURE() << sqlite3_errmsg(raw);
    sqlite3_close(raw);
    return ok;
  }

  Principal user(const std::string& name, bool admin = false) {
    auto a = create_user(*hub_, NewUser{name, name + "-password", "", "", admin});
    EXPECT_TRUE(a) << a.error().message;
    auto t = create_token(*hub_, a->id, "t", "write");
    EXPECT_TRUE(t);
    std::string auth = "Bearer " + t->secret;
    auto p = authenticate(*hub_, Credentials{std::string_view(auth), ""});
    EXPECT_TRUE(p);
    return *p;
  }
  RepoHandle repo(const Principal& p, const std::string& name, bool is_private = false,
                  const std::string& type = "model") {
    auto r = create_repo(*hub_, p, NewRepo{type, "", name, is_private});
    EXPECT_TRUE(r) << r.error().message;
    return *r;
  }
  // Commits `files` (path -> content) on main and reports the ref change like every writer does.
  std::string commit(const RepoHandle& h, const std::map<std::string, std::string>& files,
                     const std::map<std::string, std::pair<std::string, uint64_t>>& lfs = {}) {
    auto repo = storage::git::Repo::open(h.path);
    EXPECT_TRUE(repo);
    auto head = repo->resolve_revision("main");
    EXPECT_TRUE(head);
    auto b = storage::git::CommitBuilder::start(*repo, *head);
    EXPECT_TRUE(b);
    for (const auto& [path, content] : files) EXPECT_TRUE(b->put_file(path, content));
    for (const auto& [path, ptr] : lfs) EXPECT_TRUE(b->put_lfs_pointer(path, ptr.first, ptr.second));
    storage::git::CommitOptions opts;
    opts.summary = "update";
    opts.author = {"t", "t@example.com", 0};
    auto id = b->commit_to("refs/heads/main", opts);
    EXPECT_TRUE(id) << id.error().message;
    on_refs_updated(*hub_, h, {storage::db::RefUpdate{h.row.id, "refs/heads/main", *head, *id, now_ms()}});
    return *id;
  }

  std::string pg_schema_;  // the case's PostgreSQL schema; empty on SQLite
  std::string dir_;
  std::unique_ptr<Hub> hub_;
};

}  // namespace hub::services::testing
