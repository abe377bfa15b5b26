// The fixture of the Database conformance suite (conformance_test.cpp, conformance_index_test.cpp):
// a fresh database per case, on SQLite (a temp file) or PostgreSQL (a fresh schema on the
// server pg_harness.h starts), and helpers that create accounts, repos and index rows.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/hash.h"
#include "storage/db/database.h"
#include "storage/db/pg_harness.h"

namespace hub::storage::db::testing {

class Conformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      auto& pg = hub::testing::PgServer::shared();
      if (!pg.available()) GTEST_SKIP() << pg.why();
      url = pg.url("t_" + hex_encode(random_bytes(6)));
    } else {
      dir = std::filesystem::temp_directory_path() / ("hubd-db-" + hex_encode(random_bytes(6)));
      std::filesystem::create_directories(dir);
      url = "sqlite:" + (dir / "hubd.db").string();
    }
    auto d = Database::open(url);
    ASSERT_TRUE(d.has_value()) << d.error().message;
    db = std::move(*d);
  }
  void TearDown() override {
    db.reset();
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  Account user(std::string name, AccountKind kind = AccountKind::user) {
    Account a;
    a.kind = kind;
    a.name = std::move(name);
    a.created_at = 1;
    auto r = db->create_account(a);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? *r : a;
  }
  RepoRow repo(std::string ns, std::string name, bool priv = false, int64_t created = 1, std::string type = "model") {
    RepoRow r;
    r.uid = hex_encode(random_bytes(6));
    r.type = std::move(type);
    r.ns = std::move(ns);
    r.name = std::move(name);
    r.is_private = priv;
    r.created_at = created;
    r.updated_at = created;
    auto out = db->create_repo(r);
    EXPECT_TRUE(out.has_value()) << out.error().message;
    return out ? *out : r;
  }
  void index(int64_t id, std::vector<std::string> tags, std::string text, std::vector<std::string> facets = {}) {
    RepoIndexRow row;
    row.repo_id = id;
    row.commit = std::string(40, 'c');
    row.tags = std::move(tags);
    row.facets = std::move(facets);
    row.search_text = std::move(text);
    row.indexed_at = 5;
    auto r = db->put_repo_index({row});
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }
  std::vector<std::string> names(const RepoQuery& q) {
    auto hits = db->query_repos(q);
    EXPECT_TRUE(hits.has_value()) << hits.error().message;
    std::vector<std::string> out;
    if (hits)
      for (auto& h : *hits) out.push_back(h.repo.full_id());
    return out;
  }
  // Every page of q (page size `page`), concatenated; fails on a duplicate.
  std::vector<std::string> walk(RepoQuery q, int page) {
    q.limit = page;
    std::vector<std::string> all;
    for (int i = 0; i < 100; ++i) {
      auto hits = db->query_repos(q);
      EXPECT_TRUE(hits.has_value()) << hits.error().message;
      if (!hits || hits->empty()) break;
      for (auto& h : *hits) all.push_back(h.repo.full_id());
      q.after = hits->back().cursor;
    }
    std::set<std::string> uniq(all.begin(), all.end());
    EXPECT_EQ(uniq.size(), all.size());
    return all;
  }

  std::string url;
  std::filesystem::path dir;
  std::unique_ptr<Database> db;
};

}  // namespace hub::storage::db::testing
