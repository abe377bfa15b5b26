// The Database conformance suite: every case runs on SQLite and on PostgreSQL (a server the
// test starts itself, tests/storage/db/pg_harness.h) and asserts the same answers: ordering,
// pagination, NULLs, error codes, concurrency. Accounts, tokens, sessions, repos, LFS links
// here; the listing index and counters in conformance_index_test.cpp. A new Database method
// gets its cases in one of them, so its PostgreSQL version is held to SQLite's behaviour.
#include <atomic>
#include <thread>

#include "storage/db/conformance_fixture.h"

namespace hub::storage::db {
namespace {

using testing::Conformance;

TEST_P(Conformance, MigratesOnceAndReopens) {
  EXPECT_EQ(db->schema_version(), 10);
  db.reset();
  auto again = Database::open(url);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ((*again)->schema_version(), 10);
}

TEST_P(Conformance, NodesStartingTogetherOnAnEmptyDatabaseAllOpenIt) {
  // A fresh database (schema / file) that 6 openers race to migrate.
  std::string fresh;
  if (GetParam() == "postgres") fresh = hub::testing::PgServer::shared().url("t_" + hex_encode(random_bytes(6)));
  else fresh = "sqlite:" + (dir / "race.db").string();
  std::vector<std::thread> ts;
  std::atomic<int> ok{0};
  std::vector<std::string> errors(6);
  for (int t = 0; t < 6; ++t)
    ts.emplace_back([&, t] {
      auto d = Database::open(fresh);
      if (d && (*d)->schema_version() == 10) ok++;
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
  EXPECT_EQ(db->repo_by_name("model", "alice", "bert").error().detail, Detail::RepoNotFound);
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
