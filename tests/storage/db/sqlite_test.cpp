#include "storage/db/database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <thread>

#include "core/hash.h"

namespace hub::storage::db {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = std::filesystem::temp_directory_path() / ("hubd-db-" + hex_encode(random_bytes(6)));
    std::filesystem::create_directories(dir);
    auto d = Database::open((dir / "hubd.db").string());
    ASSERT_TRUE(d.has_value()) << d.error().message;
    db = std::move(*d);
  }
  void TearDown() override {
    db.reset();
    std::filesystem::remove_all(dir);
  }
  Account user(std::string name) {
    Account a;
    a.name = std::move(name);
    a.created_at = 1;
    auto r = db->create_account(a);
    EXPECT_TRUE(r.has_value());
    return *r;
  }
  RepoRow repo(std::string ns, std::string name, bool priv = false) {
    RepoRow r;
    r.uid = hex_encode(random_bytes(6));
    r.type = "model";
    r.ns = std::move(ns);
    r.name = std::move(name);
    r.is_private = priv;
    auto out = db->create_repo(r);
    EXPECT_TRUE(out.has_value()) << out.error().message;
    return *out;
  }
  std::filesystem::path dir;
  std::unique_ptr<Database> db;
};

TEST_F(SqliteTest, MigratesOnceAndReopens) {
  EXPECT_GE(db->schema_version(), 1);
  int v = db->schema_version();
  db.reset();
  auto again = Database::open("sqlite:" + (dir / "hubd.db").string());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ((*again)->schema_version(), v);
}

TEST_F(SqliteTest, AccountNamesAreUniqueCaseInsensitively) {
  auto alice = user("Alice");
  EXPECT_EQ(db->account_by_name("alice")->id, alice.id);
  Account dup;
  dup.name = "ALICE";
  auto r = db->create_account(dup);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::already_exists);
  EXPECT_EQ(db->account_by_name("nobody").error().code, Errc::not_found);
  EXPECT_EQ(*db->count_accounts(AccountKind::user), 1);
}

TEST_F(SqliteTest, MembershipsAndTokens) {
  auto a = user("alice");
  Account org;
  org.kind = AccountKind::org;
  org.name = "acme";
  auto o = db->create_account(org);
  ASSERT_TRUE(o.has_value());
  ASSERT_TRUE(db->add_member(o->id, a.id, "write").has_value());
  EXPECT_EQ(*db->member_role(o->id, a.id), "write");
  ASSERT_TRUE(db->add_member(o->id, a.id, "admin").has_value());  // upsert
  EXPECT_EQ(*db->member_role(o->id, a.id), "admin");
  EXPECT_EQ(db->orgs_of(a.id)->size(), 1u);
  EXPECT_FALSE(db->add_member(o->id, a.id, "owner").has_value());  // not a role

  Token t{0, a.id, "laptop", "read", sha256_hex("secret"), "hf_abcd", 5, 0};
  auto made = db->create_token(t);
  ASSERT_TRUE(made.has_value());
  EXPECT_EQ(db->token_by_hash(sha256_hex("secret"))->name, "laptop");
  EXPECT_EQ(db->tokens_of(a.id)->size(), 1u);
  EXPECT_EQ(db->delete_token(a.id + 1, made->id).error().code, Errc::not_found);  // not yours
  ASSERT_TRUE(db->delete_token(a.id, made->id).has_value());
  EXPECT_EQ(db->token_by_hash(sha256_hex("secret")).error().code, Errc::not_found);
}

TEST_F(SqliteTest, ReposMovesAndRedirects) {
  user("alice");
  auto r = repo("alice", "Bert");
  EXPECT_EQ(db->repo_by_name("model", "ALICE", "bert")->id, r.id);
  RepoRow dup = r;
  dup.uid = "other";
  EXPECT_EQ(db->create_repo(dup).error().code, Errc::already_exists);

  ASSERT_TRUE(db->move_repo(r.id, "alice", "roberta").has_value());
  EXPECT_EQ(db->repo_by_name("model", "alice", "bert").error().detail, Detail::RepoNotFound);
  auto red = db->redirect_of("model", "alice", "bert");
  ASSERT_TRUE(red.has_value() && red->has_value());
  EXPECT_EQ((*red)->name, "roberta");
  // A new repo under the old name takes it back from the redirect.
  auto fresh = repo("alice", "bert");
  EXPECT_FALSE(db->redirect_of("model", "alice", "bert")->has_value());
  EXPECT_EQ(db->move_repo(r.id, "alice", "bert").error().code, Errc::already_exists);
  ASSERT_TRUE(db->delete_repo(fresh.id).has_value());
  EXPECT_EQ(db->delete_repo(fresh.id).error().code, Errc::not_found);
}

TEST_F(SqliteTest, SettingsAndRefUpdates) {
  user("alice");
  auto r = repo("alice", "m", false);
  ASSERT_TRUE(db->update_repo_settings(r.id, true, std::string("manual")).has_value());
  auto now = db->repo_by_id(r.id);
  EXPECT_TRUE(now->is_private);
  EXPECT_EQ(now->gated, "manual");
  ASSERT_TRUE(db->record_ref_update({r.id, "refs/heads/main", std::string(40, '0'), std::string(40, 'a'), 7}).has_value());
  auto ups = db->ref_updates(r.id, 10);
  ASSERT_EQ(ups->size(), 1u);
  EXPECT_EQ((*ups)[0].new_oid, std::string(40, 'a'));
}

TEST_F(SqliteTest, ConcurrentWritersFromThreadsAndASecondConnection) {
  // The CLI and the server write the same file at once: WAL + busy timeout serialise them.
  auto second = Database::open((dir / "hubd.db").string());
  ASSERT_TRUE(second.has_value());
  std::vector<std::thread> ts;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      Database& d = (t % 2) ? **second : *db;
      for (int i = 0; i < 25; ++i) {
        Account a;
        a.name = "u" + std::to_string(t) + "_" + std::to_string(i);
        if (d.create_account(a)) ok++;
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_EQ(*db->count_accounts(AccountKind::user), 200);
}

TEST_F(SqliteTest, RefusesAFileThatIsNotADatabase) {
  auto bad = dir / "garbage.db";
  FILE* f = std::fopen(bad.c_str(), "w");
  std::fputs("this is not sqlite, just some text that is long enough to have a header......", f);
  std::fclose(f);
  auto d = Database::open(bad.string());
  ASSERT_FALSE(d.has_value());
}

}  // namespace
}  // namespace hub::storage::db
