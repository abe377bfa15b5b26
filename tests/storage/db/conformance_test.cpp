// The Database conformance suite: every case runs on SQLite and on PostgreSQL (a server the
// test starts itself, tests/storage/db/pg_harness.h) and asserts the same answers: ordering,
// pagination, NULLs, error codes, search and visibility, counters. A new Database method
// gets its cases here, and so its PostgreSQL version is checked against SQLite's behaviour.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "core/hash.h"
#include "storage/db/database.h"
#include "storage/db/pg_harness.h"

namespace hub::storage::db {
namespace {

class Conformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      auto& pg = testing::PgServer::shared();
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

TEST_P(Conformance, MigratesOnceAndReopens) {
  EXPECT_EQ(db->schema_version(), 4);
  db.reset();
  auto again = Database::open(url);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ((*again)->schema_version(), 4);
}

TEST_P(Conformance, NodesStartingTogetherOnAnEmptyDatabaseAllOpenIt) {
  // A fresh database (schema / file) that 6 openers race to migrate.
  std::string fresh;
  if (GetParam() == "postgres") fresh = testing::PgServer::shared().url("t_" + hex_encode(random_bytes(6)));
  else fresh = "sqlite:" + (dir / "race.db").string();
  std::vector<std::thread> ts;
  std::atomic<int> ok{0};
  std::vector<std::string> errors(6);
  for (int t = 0; t < 6; ++t)
    ts.emplace_back([&, t] {
      auto d = Database::open(fresh);
      if (d && (*d)->schema_version() == 4) ok++;
      else if (!d) errors[size_t(t)] = d.error().message;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 6) << errors[0] << errors[1] << errors[2];
  auto d = Database::open(fresh);
  ASSERT_TRUE(d.has_value());
  Account a;
  a.name = "after-race";
  EXPECT_TRUE((*d)->create_account(a).has_value());
}

TEST_P(Conformance, AccountNamesAreUniqueCaseInsensitively) {
  auto alice = user("Alice");
  EXPECT_EQ(db->account_by_name("alice")->id, alice.id);
  EXPECT_EQ(db->account_by_name("alice")->name, "Alice");
  EXPECT_EQ(db->account_by_id(alice.id)->name, "Alice");
  Account dup;
  dup.name = "ALICE";
  auto r = db->create_account(dup);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::already_exists);
  EXPECT_EQ(db->account_by_name("nobody").error().code, Errc::not_found);
  EXPECT_EQ(db->account_by_id(alice.id + 1000).error().code, Errc::not_found);
  EXPECT_EQ(*db->count_accounts(AccountKind::user), 1);
  EXPECT_EQ(*db->count_accounts(AccountKind::org), 0);
}

TEST_P(Conformance, MembershipsAndTokens) {
  auto a = user("alice");
  auto zorg = user("zeta", AccountKind::org);
  auto o = user("Acme", AccountKind::org);
  ASSERT_TRUE(db->add_member(zorg.id, a.id, "read").has_value());
  ASSERT_TRUE(db->add_member(o.id, a.id, "write").has_value());
  EXPECT_EQ(*db->member_role(o.id, a.id), "write");
  ASSERT_TRUE(db->add_member(o.id, a.id, "admin").has_value());  // upsert
  EXPECT_EQ(*db->member_role(o.id, a.id), "admin");
  EXPECT_EQ(db->member_role(o.id, a.id + 100).error().code, Errc::not_found);
  auto orgs = db->orgs_of(a.id);
  ASSERT_EQ(orgs->size(), 2u);
  EXPECT_EQ((*orgs)[0].name, "Acme");  // by lower-cased name
  EXPECT_EQ((*orgs)[0].kind, AccountKind::org);
  EXPECT_EQ(db->add_member(o.id, a.id, "owner").error().code, Errc::already_exists);  // not a role: a constraint

  Token t{0, a.id, "laptop", "read", sha256_hex("secret"), "hf_abcd", 5, 0};
  auto made = db->create_token(t);
  ASSERT_TRUE(made.has_value());
  auto second = db->create_token(Token{0, a.id, "ci", "write", sha256_hex("other"), "hf_efgh", 6, 0});
  ASSERT_TRUE(second.has_value());
  EXPECT_GT(second->id, made->id);
  EXPECT_EQ(db->create_token(t).error().code, Errc::already_exists);  // same hash
  ASSERT_TRUE(db->touch_token(made->id, 99).has_value());
  auto got = db->token_by_hash(sha256_hex("secret"));
  EXPECT_EQ(got->name, "laptop");
  EXPECT_EQ(got->last_used_at, 99);
  EXPECT_EQ(got->created_at, 5);
  auto all = db->tokens_of(a.id);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "laptop");  // by id
  EXPECT_EQ(db->delete_token(a.id + 1, made->id).error().code, Errc::not_found);  // not yours
  ASSERT_TRUE(db->delete_token(a.id, made->id).has_value());
  EXPECT_EQ(db->delete_token(a.id, made->id).error().code, Errc::not_found);
  EXPECT_EQ(db->token_by_hash(sha256_hex("secret")).error().code, Errc::not_found);
}

TEST_P(Conformance, Sessions) {
  auto a = user("alice");
  ASSERT_TRUE(db->create_session({"h1", a.id, "csrf1", 1234}).has_value());
  EXPECT_EQ(db->create_session({"h1", a.id, "x", 1}).error().code, Errc::already_exists);
  auto s = db->session_by_hash("h1");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->csrf, "csrf1");
  EXPECT_EQ(s->expires_at, 1234);
  ASSERT_TRUE(db->delete_session("h1").has_value());
  ASSERT_TRUE(db->delete_session("h1").has_value());  // deleting twice is fine
  EXPECT_EQ(db->session_by_hash("h1").error().code, Errc::not_found);
}

TEST_P(Conformance, ReposMovesAndRedirects) {
  user("alice");
  auto r = repo("alice", "Bert");
  EXPECT_EQ(db->repo_by_name("model", "ALICE", "bert")->id, r.id);
  EXPECT_EQ(db->repo_by_name("dataset", "alice", "bert").error().code, Errc::not_found);
  RepoRow dup = r;
  dup.uid = "other";
  EXPECT_EQ(db->create_repo(dup).error().code, Errc::already_exists);

  ASSERT_TRUE(db->move_repo(r.id, "alice", "roberta").has_value());
  EXPECT_EQ(db->repo_by_name("model", "alice", "bert").error().detail, "RepoNotFound");
  auto red = db->redirect_of("model", "alice", "BERT");
  ASSERT_TRUE(red.has_value() && red->has_value());
  EXPECT_EQ((*red)->name, "roberta");
  EXPECT_FALSE(db->redirect_of("model", "alice", "nothing")->has_value());
  // A new repo under the old name takes it back from the redirect.
  auto fresh = repo("alice", "bert");
  EXPECT_FALSE(db->redirect_of("model", "alice", "bert")->has_value());
  EXPECT_EQ(db->move_repo(r.id, "alice", "bert").error().code, Errc::already_exists);
  EXPECT_EQ(db->move_repo(r.id + 1000, "alice", "x").error().code, Errc::not_found);
  // Case-only rename: no redirect to itself.
  ASSERT_TRUE(db->move_repo(r.id, "alice", "RoBERTa").has_value());
  EXPECT_FALSE(db->redirect_of("model", "alice", "roberta")->has_value());
  ASSERT_TRUE(db->delete_repo(fresh.id).has_value());
  EXPECT_EQ(db->delete_repo(fresh.id).error().code, Errc::not_found);
  EXPECT_EQ(db->repo_by_id(fresh.id).error().code, Errc::not_found);
}

TEST_P(Conformance, ReposOfNewestFirst) {
  user("alice");
  auto a = repo("alice", "a", false, 10);
  auto b = repo("Alice", "b", true, 20);
  repo("bob", "c", false, 30);
  ASSERT_TRUE(db->touch_repo(a.id, 50).has_value());
  auto rs = db->repos_of("ALICE");
  ASSERT_EQ(rs->size(), 2u);
  EXPECT_EQ((*rs)[0].name, "a");
  EXPECT_EQ((*rs)[0].updated_at, 50);
  EXPECT_EQ((*rs)[1].id, b.id);
  EXPECT_TRUE((*rs)[1].is_private);
  EXPECT_TRUE(db->repos_of("nobody")->empty());
}

TEST_P(Conformance, SettingsAndRefUpdates) {
  user("alice");
  auto r = repo("alice", "m", false);
  ASSERT_TRUE(db->update_repo_settings(r.id, true, std::string("manual")).has_value());
  auto now = db->repo_by_id(r.id);
  EXPECT_TRUE(now->is_private);
  EXPECT_EQ(now->gated, "manual");
  ASSERT_TRUE(db->update_repo_settings(r.id, std::nullopt, std::string("")).has_value());
  EXPECT_TRUE(db->repo_by_id(r.id)->is_private);  // untouched
  EXPECT_EQ(db->repo_by_id(r.id)->gated, "");
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(db->record_ref_update({r.id, "refs/heads/main", std::string(40, char('0' + i)),
                                       std::string(40, char('1' + i)), 7 + i})
                    .has_value());
  auto ups = db->ref_updates(r.id, 2);
  ASSERT_EQ(ups->size(), 2u);
  EXPECT_EQ((*ups)[0].new_oid, std::string(40, '3'));  // newest first
  EXPECT_EQ((*ups)[1].at, 8);
  EXPECT_EQ(db->ref_updates(r.id, -1)->size(), 3u);  // negative: no limit
}

TEST_P(Conformance, LfsLinks) {
  user("alice");
  auto a = repo("alice", "a");
  auto b = repo("alice", "b");
  std::string oid1(64, '1'), oid2(64, '2');
  ASSERT_TRUE(db->link_lfs_objects(b.id, {{oid1, 10}}, 1).has_value());
  ASSERT_TRUE(db->link_lfs_objects(a.id, {{oid1, 10}, {oid2, 20}, {oid1, 10}}, 1).has_value());
  ASSERT_TRUE(db->link_lfs_objects(a.id, {{oid1, 10}}, 2).has_value());  // again: no-op
  ASSERT_TRUE(db->link_lfs_objects(a.id, {}, 2).has_value());
  EXPECT_TRUE(*db->repo_has_lfs_object(a.id, oid2));
  EXPECT_FALSE(*db->repo_has_lfs_object(b.id, oid2));
  EXPECT_EQ(*db->lfs_object_repos(oid1, 10), (std::vector<int64_t>{a.id, b.id}));
  EXPECT_EQ(*db->lfs_object_repos(oid1, 1), (std::vector<int64_t>{a.id}));
  EXPECT_TRUE(db->lfs_object_repos(std::string(64, '9'), 10)->empty());
  // The backfill queue starts empty on a fresh database (migration 4 queued existing repos only).
  EXPECT_TRUE(db->lfs_backfill_queue(10)->empty());
  ASSERT_TRUE(db->lfs_backfill_done(a.id).has_value());
  ASSERT_TRUE(db->delete_repo(a.id).has_value());
  EXPECT_EQ(*db->lfs_object_repos(oid1, 10), (std::vector<int64_t>{b.id}));
}

TEST_P(Conformance, IndexRowsRoundTripWithNulls) {
  user("alice");
  auto a = repo("alice", "a");
  auto b = repo("alice", "b");
  EXPECT_EQ(db->unindexed_repos("model", 10)->size(), 2u);
  RepoIndexRow row;
  row.repo_id = a.id;
  row.commit = std::string(40, 'a');
  row.pipeline_tag = "fill-mask";
  row.tags = {"bert", "quote\"d", "comma,{brace}", ""};
  row.facets = {facet("language", "en")};
  row.card_data = R"({"license":"mit"})";
  row.errors = R"(["bad yaml"])";
  row.search_text = "Hello world";
  row.indexed_at = 77;
  RepoIndexRow gone = row;
  gone.repo_id = b.id + 1000;  // no such repo: skipped
  ASSERT_TRUE(db->put_repo_index({row, gone}).has_value());
  auto got = db->repo_index(a.id);
  ASSERT_TRUE(got.has_value() && got->has_value());
  EXPECT_EQ((*got)->commit, row.commit);
  EXPECT_EQ((*got)->pipeline_tag, std::optional<std::string>("fill-mask"));
  EXPECT_FALSE((*got)->library_name.has_value());
  EXPECT_EQ((*got)->tags, row.tags);
  EXPECT_EQ((*got)->card_data, row.card_data);
  EXPECT_EQ((*got)->errors, row.errors);
  EXPECT_EQ((*got)->search_text, "Hello world");
  EXPECT_EQ((*got)->indexed_at, 77);
  EXPECT_FALSE(db->repo_index(b.id)->has_value());
  auto un = db->unindexed_repos("model", 10);
  ASSERT_EQ(un->size(), 1u);
  EXPECT_EQ((*un)[0].id, b.id);
  EXPECT_EQ(db->unindexed_repos("", 10)->size(), 1u);
  EXPECT_TRUE(db->unindexed_repos("dataset", 10)->empty());
  // Re-indexing replaces tags and text.
  row.tags = {"roberta"};
  row.pipeline_tag.reset();
  row.library_name = "transformers";
  ASSERT_TRUE(db->put_repo_index({row}).has_value());
  got = db->repo_index(a.id);
  EXPECT_EQ((*got)->tags, std::vector<std::string>{"roberta"});
  EXPECT_FALSE((*got)->pipeline_tag.has_value());
  EXPECT_EQ((*got)->library_name, std::optional<std::string>("transformers"));
  RepoQuery q;
  q.type = "model";
  q.tags = {"bert"};
  EXPECT_TRUE(names(q).empty());
  q.tags = {"roberta", facet("language", "en")};
  EXPECT_EQ(names(q), std::vector<std::string>{"alice/a"});
}

TEST_P(Conformance, ListingFiltersSearchAndVisibility) {
  user("alice");
  user("bob");
  auto a = repo("alice", "bert-base-uncased", false, 1);
  auto b = repo("alice", "secret-bert", true, 2);
  auto c = repo("bob", "gpt2", false, 3);
  auto d = repo("bob", "my_model%", false, 4);
  auto e = repo("bob", "bert", false, 5, "dataset");
  index(a.id, {"bert", "license:mit"}, "A BERT model for café reviews", {facet("pipeline_tag", "fill-mask")});
  index(b.id, {"bert", "internal"}, "private stuff");
  index(c.id, {"gpt2"}, "Generates text. Trained on WebText—about 40GB");
  index(d.id, {}, "");
  index(e.id, {"bert"}, "dataset");
  RepoQuery q;
  q.type = "model";
  q.sort = RepoSort::created_at;
  q.descending = false;
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/bert-base-uncased", "bob/gpt2", "bob/my_model%"}));
  q.private_namespaces = {"alice"};
  EXPECT_EQ(names(q).size(), 4u);
  q.private_namespaces = {"ALICE"};  // exact namespace, as on SQLite
  EXPECT_EQ(names(q).size(), 3u);
  q.private_namespaces.clear();
  q.all_private = true;
  EXPECT_EQ(names(q).size(), 4u);
  q.all_private = false;
  q.author = "bob";
  EXPECT_EQ(names(q), (std::vector<std::string>{"bob/gpt2", "bob/my_model%"}));
  q.author.clear();
  q.tags = {"bert"};
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/bert-base-uncased"}));
  q.tags = {"bert", facet("pipeline_tag", "fill-mask")};
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/bert-base-uncased"}));
  q.tags = {"bert", "gpt2"};
  EXPECT_TRUE(names(q).empty());
  q.tags.clear();
  // Substring of the id (case-insensitive), or every word in the card text.
  q.search = "BERT";
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/bert-base-uncased"}));
  q.search = "ice/ber";
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/bert-base-uncased"}));
  q.search = "webtext 40gb";
  EXPECT_EQ(names(q), (std::vector<std::string>{"bob/gpt2"}));
  q.search = "generates webtext";
  EXPECT_EQ(names(q), (std::vector<std::string>{"bob/gpt2"}));
  q.search = "generates nothing";
  EXPECT_TRUE(names(q).empty());
  q.search = "caf";  // a prefix of a word is not a word
  EXPECT_TRUE(names(q).empty());
  q.search = "café";
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/bert-base-uncased"}));
  q.search = "model%";  // LIKE metacharacters are literal; the word "model" is in a card
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/bert-base-uncased", "bob/my_model%"}));
  q.search = "l%";
  EXPECT_EQ(names(q), (std::vector<std::string>{"bob/my_model%"}));
  q.search = "y_m";
  EXPECT_EQ(names(q), (std::vector<std::string>{"bob/my_model%"}));
  q.search = "_";
  EXPECT_EQ(names(q), (std::vector<std::string>{"bob/my_model%"}));
  q.search = "private";  // card text of a private repo stays hidden
  EXPECT_TRUE(names(q).empty());
  q.all_private = true;
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/secret-bert"}));
  // Index rows come back with the hits; never-indexed repos come back without.
  q = RepoQuery{};
  q.type = "dataset";
  auto hits = db->query_repos(q);
  ASSERT_EQ(hits->size(), 1u);
  ASSERT_TRUE((*hits)[0].index.has_value());
  EXPECT_EQ((*hits)[0].index->tags, std::vector<std::string>{"bert"});
  q.with_index = false;
  EXPECT_FALSE((*db->query_repos(q))[0].index.has_value());
}

TEST_P(Conformance, HostileSearchesAreTextNotSyntax) {
  user("alice");
  auto a = repo("alice", "plain");
  index(a.id, {}, std::string("bytes \xff\xfe and a nul \0 inside ok", 33) + " it's \"quoted\" a&b|c!d:*");
  RepoQuery q;
  q.type = "model";
  std::mt19937 rng(7);
  const std::vector<std::string> nasty = {"'", "\"", "\\", "a & b", "!x", "a:*", "(", ")", "''", "a'b", "%", "_%_",
                                          "\xff", "\xc3", "\xe2\x80", "x\xf0\x9f\x98\x80y", "'; DROP TABLE repos; --",
                                          std::string("\0", 1), std::string(3000, 'a'), "d:*", "it's"};
  for (const auto& s : nasty) {
    q.search = s;
    auto r = db->query_repos(q);
    EXPECT_TRUE(r.has_value()) << r.error().message;
  }
  for (int i = 0; i < 200; ++i) {
    std::string s(size_t(rng() % 12), '\0');
    for (auto& ch : s) ch = char(rng() % 256);
    q.search = s;
    auto r = db->query_repos(q);
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }
  q.search = "it's";  // words "it", "s"
  EXPECT_EQ(names(q).size(), 1u);
  q.search = "quoted";
  EXPECT_EQ(names(q).size(), 1u);
  q.search = "d";
  EXPECT_EQ(names(q).size(), 1u);
  EXPECT_EQ(db->repos_of("x'); DELETE FROM repos; --")->size(), 0u);
  EXPECT_TRUE(db->repo_by_id(a.id).has_value());
}

TEST_P(Conformance, KeysetPaginationWalksEverySortOnce) {
  user("alice");
  std::vector<RepoRow> rs;
  // Names chosen so byte order differs from a locale's order ("B" < "a" < "b" in bytes).
  const std::vector<std::string> ns = {"b-1", "B-2", "a-3", "A_4", "c-5", "b-6", "z-7"};
  for (size_t i = 0; i < ns.size(); ++i) rs.push_back(repo("alice", ns[i], false, int64_t(100 - i % 3)));
  for (size_t i = 0; i < rs.size(); ++i) {
    ASSERT_TRUE(db->touch_repo(rs[i].id, int64_t(i % 2)).has_value());
    ASSERT_TRUE(db->add_downloads({{rs[i].id, 1000, int64_t(i % 3)}}, 1000).has_value());
  }
  for (auto sort : {RepoSort::downloads, RepoSort::likes, RepoSort::trending, RepoSort::last_modified,
                    RepoSort::created_at, RepoSort::id})
    for (bool desc : {true, false}) {
      RepoQuery q;
      q.type = "model";
      q.sort = sort;
      q.descending = desc;
      q.limit = 100;
      auto full = names(q);
      ASSERT_EQ(full.size(), rs.size());
      EXPECT_EQ(walk(q, 2), full) << int(sort) << desc;
      EXPECT_EQ(walk(q, 3), full);
    }
  RepoQuery q;
  q.type = "model";
  q.sort = RepoSort::id;
  q.descending = false;
  q.limit = 100;
  // Byte order of the lower-cased ids, as SQLite's BINARY collation.
  EXPECT_EQ(names(q), (std::vector<std::string>{"alice/a-3", "alice/A_4", "alice/b-1", "alice/B-2", "alice/b-6",
                                                "alice/c-5", "alice/z-7"}));
  q.sort = RepoSort::downloads;
  q.descending = true;
  auto hits = db->query_repos(q);
  ASSERT_TRUE(hits.has_value());
  // downloads i % 3 for i = 0..6: a-3 and b-6 have 2; ties: the higher repo id first.
  EXPECT_EQ((*hits)[0].repo.name, "b-6");
  EXPECT_EQ((*hits)[1].repo.name, "a-3");
  EXPECT_EQ((*hits)[0].stats.downloads, 2);
  EXPECT_EQ((*hits)[0].cursor.num, 2);
  q.limit = 0;
  EXPECT_TRUE(db->query_repos(q)->empty());
}

TEST_P(Conformance, PublicTagsHideTagsOnlyPrivateReposCarry) {
  user("alice");
  auto a = repo("alice", "a");
  auto b = repo("alice", "b");
  auto c = repo("alice", "c", true);
  index(a.id, {"common", "zz"}, "");
  index(b.id, {"common", "aa"}, "");
  index(c.id, {"common", "acme-internal"}, "");
  EXPECT_EQ(*db->public_tags("model", 10), (std::vector<std::string>{"common", "aa", "zz"}));
  EXPECT_EQ(*db->public_tags("model", 1), (std::vector<std::string>{"common"}));
  ASSERT_TRUE(db->delete_repo(b.id).has_value());  // its postings go, and the counts with them
  EXPECT_EQ(*db->public_tags("model", 10), (std::vector<std::string>{"common", "zz"}));
  EXPECT_TRUE(db->public_tags("dataset", 10)->empty());
}

TEST_P(Conformance, DownloadsAndLikesFeedTheWindows) {
  auto alice = user("alice");
  auto bob = user("bob");
  auto a = repo("alice", "a");
  auto gone = repo("alice", "gone");
  ASSERT_TRUE(db->delete_repo(gone.id).has_value());
  const int64_t today = 20000;
  ASSERT_TRUE(db->add_downloads({{a.id, today, 3}, {a.id, today - 10, 5}, {a.id, today - 40, 7}, {gone.id, today, 9},
                                 {a.id, today, 0}},
                                today)
                  .has_value());
  auto s = db->repo_stats(a.id);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->downloads, 8);       // 30-day window
  EXPECT_EQ(s->downloads_all, 15);  // all time
  EXPECT_EQ(s->trending, 3);        // 7-day window
  EXPECT_EQ(db->repo_stats(gone.id).error().code, Errc::not_found);
  ASSERT_TRUE(db->refresh_stats(today + 7).has_value());
  EXPECT_EQ(db->repo_stats(a.id)->downloads, 8);
  EXPECT_EQ(db->repo_stats(a.id)->trending, 0);
  ASSERT_TRUE(db->refresh_stats(today + 25).has_value());
  EXPECT_EQ(db->repo_stats(a.id)->downloads, 3);

  const int64_t now = (today + 25) * 86'400'000;
  EXPECT_TRUE(*db->set_like(alice.id, a.id, true, now));
  EXPECT_FALSE(*db->set_like(alice.id, a.id, true, now + 1));  // twice: no-op
  EXPECT_TRUE(*db->set_like(bob.id, a.id, true, now + 2));
  EXPECT_EQ(db->repo_stats(a.id)->likes, 2);
  EXPECT_EQ(db->repo_stats(a.id)->trending, 2);
  EXPECT_FALSE(db->set_like(alice.id, gone.id, true, now).has_value());  // no such repo
  auto likers = db->likers_of_repo(a.id, std::nullopt, 10);
  ASSERT_EQ(likers->size(), 2u);
  EXPECT_EQ((*likers)[0].account_id, bob.id);  // newest first
  auto page2 = db->likers_of_repo(a.id, (*likers)[0], 10);
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ((*page2)[0].account_id, alice.id);
  EXPECT_EQ((*page2)[0].at, now);
  EXPECT_EQ(db->likes_of_account(alice.id, std::nullopt, 10)->size(), 1u);
  EXPECT_TRUE(*db->set_like(alice.id, a.id, false, now + 3));
  EXPECT_FALSE(*db->set_like(alice.id, a.id, false, now + 3));
  EXPECT_EQ(db->repo_stats(a.id)->likes, 1);
  EXPECT_TRUE(db->likes_of_account(alice.id, std::nullopt, 10)->empty());
}

TEST_P(Conformance, ConcurrentWritersFromThreadsAndASecondHandle) {
  // Two handles on one database (a server and the CLI, or two nodes), 8 threads writing.
  auto second = Database::open(url);
  ASSERT_TRUE(second.has_value());
  user("owner");
  auto r = repo("owner", "liked");
  std::vector<std::thread> ts;
  std::atomic<int> ok{0}, liked{0};
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      Database& d = (t % 2) ? **second : *db;
      for (int i = 0; i < 10; ++i) {
        Account a;
        a.name = "u" + std::to_string(t) + "_" + std::to_string(i);
        auto made = d.create_account(a);
        if (!made) continue;
        ok++;
        if (auto l = d.set_like(made->id, r.id, true, 1000 + i); l && *l) liked++;
        d.add_downloads({{r.id, 1, 1}}, 1);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 80);
  EXPECT_EQ(liked.load(), 80);
  EXPECT_EQ(*db->count_accounts(AccountKind::user), 81);
  auto s = db->repo_stats(r.id);
  EXPECT_EQ(s->likes, 80);
  EXPECT_EQ(s->downloads_all, 80);
  EXPECT_EQ(s->downloads, 80);
}

INSTANTIATE_TEST_SUITE_P(Backends, Conformance, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hub::storage::db
