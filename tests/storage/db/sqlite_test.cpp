#include "storage/db/database.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "core/hash.h"
#include "storage/db/sqlite_database.h"

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

// The re-index migration (issue 15: config.json decides the task) queues every repo an older
// hubd indexed, once; repos made afterwards are indexed by the current rules and never queued.
TEST_F(SqliteTest, ReindexMigrationQueuesIndexedRepos) {
  auto indexed = repo("alice", "indexed");
  auto unindexed = repo("alice", "unindexed");
  RepoIndexRow row;
  row.repo_id = indexed.id;
  ASSERT_TRUE(db->put_repo_index({row}).has_value());
  auto q = db->reindex_queue(10);
  ASSERT_TRUE(q.has_value());
  EXPECT_TRUE(q->empty()) << "a fresh database has nothing to re-index";

  // Run the migration's own SQL on this data, as an upgrade from the version before it would.
  const char* sql = nullptr;
  for (const char* m : migrations())
    if (std::string_view(m).find("CREATE TABLE reindex_queue") != std::string_view::npos) sql = m;
  ASSERT_NE(sql, nullptr);
  db.reset();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "hubd.db").string().c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "DROP TABLE reindex_queue;", nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, sql, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto d = Database::open((dir / "hubd.db").string());
  ASSERT_TRUE(d.has_value());
  db = std::move(*d);

  q = db->reindex_queue(10);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(*q, std::vector<int64_t>{indexed.id});
  ASSERT_TRUE(db->reindex_done(indexed.id).has_value());
  ASSERT_TRUE(db->reindex_done(unindexed.id).has_value()) << "dequeuing what is not queued is a no-op";
  EXPECT_TRUE(db->reindex_queue(10)->empty());
  // Deleting a queued repo drops it from the queue (ON DELETE CASCADE).
  raw = nullptr;
  ASSERT_EQ(sqlite3_open((dir / "hubd.db").string().c_str(), &raw), SQLITE_OK);
  std::string queue = "INSERT INTO reindex_queue(repo_id) VALUES (" + std::to_string(unindexed.id) + ");";
  ASSERT_EQ(sqlite3_exec(raw, queue.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  EXPECT_EQ(db->reindex_queue(10)->size(), 1u);
  ASSERT_TRUE(db->delete_repo(unindexed.id).has_value());
  EXPECT_TRUE(db->reindex_queue(10)->empty());
}

// The Database interface itself is checked on both backends by conformance_test.cpp; what
// stays here is SQLite's own: a plain path opens, a file that is not a database is refused.
TEST_F(SqliteTest, APlainPathOpensTheSameFile) {
  user("alice");
  db.reset();
  auto again = Database::open("sqlite://" + (dir / "hubd.db").string());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ((*again)->account_by_name("alice")->name, "alice");
}

TEST_F(SqliteTest, RefusesAFileThatIsNotADatabase) {
  auto bad = dir / "garbage.db";
  FILE* f = std::fopen(bad.c_str(), "w");
  std::fputs("this is not sqlite, just some text that is long enough to have a header......", f);
  std::fclose(f);
  auto d = Database::open(bad.string());
  ASSERT_FALSE(d.has_value());
}

// Discussions (issue 17): numbers per repo, at least min_num; filters; events; cascade on delete.
TEST_F(SqliteTest, DiscussionsNumberFilterAndEvents) {
  auto alice = user("alice"), bob = user("bob");
  auto r = repo("alice", "m"), other = repo("alice", "o");
  auto open = [&](const RepoRow& in, const Account& by, bool pr, int64_t min_num) {
    DiscussionRow d;
    d.repo_id = in.id;
    d.author_id = by.id;
    d.title = "t";
    d.is_pr = pr;
    d.status = pr ? "draft" : "open";
    d.created_at = d.updated_at = 5;
    DiscussionEventRow first;
    first.uid = hex_encode(random_bytes(12));
    first.type = "comment";
    first.author_id = by.id;
    first.text = "hello";
    auto made = db->create_discussion(d, first, min_num);
    EXPECT_TRUE(made.has_value()) << made.error().message;
    return made->first;
  };
  EXPECT_EQ(open(r, alice, false, 1).num, 1);
  EXPECT_EQ(open(r, bob, true, 1).num, 2);
  EXPECT_EQ(open(r, bob, true, 7).num, 7);   // refs/pr/6 already taken: skip past it
  EXPECT_EQ(open(r, alice, false, 1).num, 8);
  EXPECT_EQ(open(other, alice, false, 1).num, 1);  // numbers are per repo
  auto of = [](int64_t repo_id) {
    DiscussionQuery q;
    q.repo_id = repo_id;
    return q;
  };

  auto page = db->list_discussions(of(r.id));
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->total, 4);
  ASSERT_EQ(page->items.size(), 4u);
  EXPECT_EQ(page->items[0].num, 8);  // newest first
  EXPECT_EQ(page->items[0].author_name, "alice");
  EXPECT_EQ(page->items[0].num_comments, 1);
  DiscussionQuery q = of(r.id);
  q.author_id = bob.id;
  q.is_pr = true;
  EXPECT_EQ(db->list_discussions(q)->total, 2);
  q = of(r.id);
  q.limit = 1;
  q.offset = 1;
  auto second = db->list_discussions(q);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].num, 7);
  EXPECT_EQ(second->total, 4);

  auto d1 = db->discussion_by_num(r.id, 1);
  ASSERT_TRUE(d1.has_value());
  ASSERT_TRUE(db->update_discussion(d1->id, "renamed", std::string("closed"), std::nullopt, 9).has_value());
  q = of(r.id);
  q.open = false;
  auto closed = db->list_discussions(q);
  ASSERT_EQ(closed->items.size(), 1u);
  EXPECT_EQ(closed->items[0].title, "renamed");
  EXPECT_EQ(db->discussion_by_num(r.id, 3).error().code, Errc::not_found);

  DiscussionEventRow e;
  e.discussion_id = d1->id;
  e.uid = "abcdefabcdefabcdefabcdef";
  e.type = "comment";
  e.author_id = bob.id;
  e.text = "second";
  auto added = db->add_discussion_event(e);
  ASSERT_TRUE(added.has_value());
  EXPECT_EQ(added->author_name, "bob");
  added->text = "edited";
  added->hidden = true;
  ASSERT_TRUE(db->update_discussion_event(*added).has_value());
  auto events = db->discussion_events(d1->id);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[1].text, "edited");
  EXPECT_TRUE((*events)[1].hidden);
  EXPECT_EQ(db->discussion_event(d1->id, "abcdefabcdefabcdefabcdef")->text, "edited");
  EXPECT_EQ(db->discussion_event(d1->id, "nope").error().code, Errc::not_found);

  ASSERT_TRUE(db->delete_repo(r.id).has_value());  // discussions and events go with the repo
  EXPECT_EQ(db->list_discussions(of(r.id))->total, 0);
  EXPECT_EQ(db->discussion_events(d1->id)->size(), 0u);
}

}  // namespace
}  // namespace hub::storage::db
