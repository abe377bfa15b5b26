// Conformance cases (both backends, see conformance_test.cpp) for the discussions and pull
// requests of issue 17 (migration 5) and the re-index queue of issue 15 (migration 6).
#include <sqlite3.h>

#include <atomic>
#include <thread>

#include "storage/db/conformance_fixture.h"
#include "storage/db/pg_database.h"
#include "storage/db/sqlite_database.h"

namespace hub::storage::db {
namespace {

class ConformanceDiscussions : public testing::Conformance {
 protected:
  DiscussionRow open(const RepoRow& in, const Account& by, bool pr, int64_t min_num, Database* on = nullptr) {
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
    auto made = (on ? on : db.get())->create_discussion(d, first, min_num);
    EXPECT_TRUE(made.has_value()) << made.error().message;
    return made ? made->first : d;
  }
  static DiscussionQuery of(int64_t repo_id) {
    DiscussionQuery q;
    q.repo_id = repo_id;
    return q;
  }
  // Runs a script straight on the database, outside hubd (an older hubd's data, an upgrade).
  void raw(const std::string& sql) {
    if (GetParam() == "postgres") {
      // The case's schema is the first entry of the URL's search_path.
      auto at = url.find("search_path%3D") + 14;
      std::string schema = url.substr(at, url.find("%2C", at) - at);
      ASSERT_EQ(hub::testing::PgServer::shared().psql("SET search_path TO " + schema + "; " + sql), 0) << sql;
    } else {
      sqlite3* c = nullptr;
      ASSERT_EQ(sqlite3_open((dir / "hubd.db").string().c_str(), &c), SQLITE_OK);
      char* err = nullptr;
      int rc = sqlite3_exec(c, sql.c_str(), nullptr, nullptr, &err);
      std::string msg = err ? err : "";
      sqlite3_free(err);
      sqlite3_close(c);
      ASSERT_EQ(rc, SQLITE_OK) << msg;
    }
  }
};

// Numbers per repo, at least min_num; newest first; filters, paging, counts; events; cascade.
TEST_P(ConformanceDiscussions, NumberFilterPageAndEvents) {
  auto alice = user("alice"), bob = user("bob");
  auto r = repo("alice", "m"), other = repo("alice", "o");
  EXPECT_EQ(open(r, alice, false, 1).num, 1);
  EXPECT_EQ(open(r, bob, true, 1).num, 2);
  EXPECT_EQ(open(r, bob, true, 7).num, 7);  // refs/pr/6 already taken: skip past it
  EXPECT_EQ(open(r, alice, false, 1).num, 8);
  EXPECT_EQ(open(other, alice, false, 1).num, 1);  // numbers are per repo

  auto page = db->list_discussions(of(r.id));
  ASSERT_TRUE(page.has_value()) << page.error().message;
  EXPECT_EQ(page->total, 4);
  ASSERT_EQ(page->items.size(), 4u);
  std::vector<int64_t> nums;
  for (auto& d : page->items) nums.push_back(d.num);
  EXPECT_EQ(nums, (std::vector<int64_t>{8, 7, 2, 1}));  // newest first
  EXPECT_EQ(page->items[0].author_name, "alice");
  EXPECT_EQ(page->items[0].num_comments, 1);
  EXPECT_FALSE(page->items[0].is_pr);
  EXPECT_TRUE(page->items[1].is_pr);
  EXPECT_EQ(page->items[1].status, "draft");
  DiscussionQuery q = of(r.id);
  q.author_id = bob.id;
  q.is_pr = true;
  EXPECT_EQ(db->list_discussions(q)->total, 2);
  q.is_pr = false;
  EXPECT_EQ(db->list_discussions(q)->total, 0);
  q = of(r.id);
  q.limit = 1;
  q.offset = 1;
  auto second = db->list_discussions(q);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].num, 7);
  EXPECT_EQ(second->total, 4);
  q.offset = 10;  // past the end: no rows, the total still counts them all
  EXPECT_TRUE(db->list_discussions(q)->items.empty());
  EXPECT_EQ(db->list_discussions(q)->total, 4);
  q.offset = -3;  // read as 0 (SQLite's rule; PostgreSQL would refuse it)
  q.limit = -1;   // read as "no limit"
  auto all = db->list_discussions(q);
  ASSERT_TRUE(all.has_value()) << all.error().message;
  EXPECT_EQ(all->items.size(), 4u);
  EXPECT_EQ(db->list_discussions(of(r.id + 1000))->total, 0);

  auto d1 = db->discussion_by_num(r.id, 1);
  ASSERT_TRUE(d1.has_value());
  ASSERT_TRUE(db->update_discussion(d1->id, "renamed", std::string("closed"), std::nullopt, 9).has_value());
  EXPECT_EQ(db->update_discussion(d1->id + 1000, std::nullopt, std::nullopt, std::nullopt, 9).error().code,
            Errc::not_found);
  q = of(r.id);
  q.open = false;
  auto closed = db->list_discussions(q);
  ASSERT_EQ(closed->items.size(), 1u);
  EXPECT_EQ(closed->items[0].title, "renamed");
  EXPECT_EQ(closed->items[0].status, "closed");
  EXPECT_EQ(closed->items[0].updated_at, 9);
  q.open = true;
  EXPECT_EQ(db->list_discussions(q)->total, 3);
  // Only what is given changes.
  ASSERT_TRUE(db->update_discussion(d1->id, std::nullopt, std::nullopt, std::string(40, 'a'), 10).has_value());
  auto again = db->discussion_by_num(r.id, 1);
  EXPECT_EQ(again->title, "renamed");
  EXPECT_EQ(again->status, "closed");
  EXPECT_EQ(again->merge_commit, std::string(40, 'a'));
  EXPECT_EQ(db->discussion_by_num(r.id, 3).error().code, Errc::not_found);
  // A status outside the four is refused by the schema on both.
  EXPECT_FALSE(db->update_discussion(d1->id, std::nullopt, std::string("bogus"), std::nullopt, 11).has_value());

  DiscussionEventRow e;
  e.discussion_id = d1->id;
  e.uid = "abcdefabcdefabcdefabcdef";
  e.type = "comment";
  e.author_id = bob.id;
  e.text = "second";
  auto added = db->add_discussion_event(e);
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_EQ(added->author_name, "bob");
  EXPECT_EQ(db->add_discussion_event(e).error().code, Errc::already_exists);  // uid is unique
  DiscussionEventRow status = e;
  status.uid = "0123456789abcdef01234567";
  status.type = "status-change";
  status.text = "closed";
  ASSERT_TRUE(db->add_discussion_event(status).has_value());
  EXPECT_EQ(db->discussion_by_num(r.id, 1)->num_comments, 2);  // comments only
  added->text = "edited";
  added->extra = R"([{"raw":"second","at":1,"editor":"bob"}])";
  added->hidden = true;
  added->updated_at = 12;
  ASSERT_TRUE(db->update_discussion_event(*added).has_value());
  auto events = db->discussion_events(d1->id);
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].text, "hello");  // insertion order
  EXPECT_EQ((*events)[1].text, "edited");
  EXPECT_EQ((*events)[1].extra, added->extra);
  EXPECT_TRUE((*events)[1].hidden);
  EXPECT_EQ((*events)[1].updated_at, 12);
  EXPECT_EQ((*events)[2].type, "status-change");
  EXPECT_EQ(db->discussion_event(d1->id, "abcdefabcdefabcdefabcdef")->text, "edited");
  EXPECT_EQ(db->discussion_event(d1->id, "nope").error().code, Errc::not_found);
  EXPECT_EQ(db->discussion_event(d1->id + 1000, "abcdefabcdefabcdefabcdef").error().code, Errc::not_found);

  auto d2 = db->discussion_by_num(r.id, 2);
  ASSERT_TRUE(db->delete_discussion(d2->id).has_value());
  EXPECT_EQ(db->discussion_by_num(r.id, 2).error().code, Errc::not_found);
  EXPECT_TRUE(db->discussion_events(d2->id)->empty());
  EXPECT_EQ(open(r, alice, false, 1).num, 9);  // a deleted number below the top is not reused

  ASSERT_TRUE(db->delete_repo(r.id).has_value());  // discussions and events go with the repo
  EXPECT_EQ(db->list_discussions(of(r.id))->total, 0);
  EXPECT_EQ(db->discussion_events(d1->id)->size(), 0u);
  EXPECT_EQ(db->list_discussions(of(other.id))->total, 1);
}

// An event's author name is joined in when read; an account that is gone reads as "".
TEST_P(ConformanceDiscussions, AuthorsAreJoinedAndAGoneAccountIsEmpty) {
  auto alice = user("alice");
  auto r = repo("alice", "m");
  auto d = open(r, alice, false, 1);
  DiscussionEventRow e;
  e.discussion_id = d.id;
  e.uid = hex_encode(random_bytes(12));
  e.type = "comment";
  e.author_id = alice.id + 1000;  // no such account
  e.text = "ghost";
  auto added = db->add_discussion_event(e);
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_EQ(added->author_name, "");
  auto events = db->discussion_events(d.id);
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].author_name, "alice");
  EXPECT_EQ((*events)[1].author_name, "");
  e.discussion_id = d.id + 1000;  // no such discussion
  e.uid = hex_encode(random_bytes(12));
  EXPECT_FALSE(db->add_discussion_event(e).has_value());
}

// Two handles (two nodes, or server and CLI) opening discussions on one repo at once: every
// number is handed out once, with no gaps and no failures.
TEST_P(ConformanceDiscussions, ConcurrentCreatorsGetDistinctNumbers) {
  auto second = Database::open(url);
  ASSERT_TRUE(second.has_value());
  auto alice = user("alice");
  auto r = repo("alice", "m");
  std::vector<std::thread> ts;
  std::atomic<int> ok{0};
  for (int t = 0; t < 6; ++t)
    ts.emplace_back([&, t] {
      Database& d = (t % 2) ? **second : *db;
      for (int i = 0; i < 8; ++i) {
        DiscussionRow row;
        row.repo_id = r.id;
        row.author_id = alice.id;
        row.title = "t";
        row.status = "open";
        DiscussionEventRow first;
        first.uid = hex_encode(random_bytes(12));
        first.type = "comment";
        first.author_id = alice.id;
        if (d.create_discussion(row, first, 1)) ok++;
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), 48);
  DiscussionQuery q = of(r.id);
  q.limit = 100;
  auto page = db->list_discussions(q);
  ASSERT_EQ(page->items.size(), 48u);
  for (size_t i = 0; i < 48; ++i) EXPECT_EQ(page->items[i].num, int64_t(48 - i));
}

// Migration 6 queues every repo an older hubd indexed, once; repos made afterwards are never
// queued; a deleted repo leaves the queue.
TEST_P(ConformanceDiscussions, ReindexMigrationQueuesIndexedRepos) {
  user("alice");
  auto indexed = repo("alice", "indexed");
  auto unindexed = repo("alice", "unindexed");
  auto gone = repo("alice", "gone");
  index(indexed.id, {"a"}, "x");
  index(gone.id, {"a"}, "x");
  auto q = db->reindex_queue(10);
  ASSERT_TRUE(q.has_value()) << q.error().message;
  EXPECT_TRUE(q->empty()) << "a fresh database has nothing to re-index";

  // Re-run migration 6 on this data, as an upgrade from version 5 would.
  const char* sql = GetParam() == "postgres" ? pg_migrations().at(5) : migrations().at(5);
  ASSERT_NE(std::string_view(sql).find("reindex_queue"), std::string_view::npos);
  raw(std::string("DROP TABLE reindex_queue; ") + sql);

  EXPECT_EQ(*db->reindex_queue(10), (std::vector<int64_t>{indexed.id, gone.id}));
  EXPECT_EQ(*db->reindex_queue(1), (std::vector<int64_t>{indexed.id}));
  EXPECT_EQ(db->reindex_queue(-1)->size(), 2u);  // a negative limit is no limit
  ASSERT_TRUE(db->delete_repo(gone.id).has_value());
  EXPECT_EQ(*db->reindex_queue(10), (std::vector<int64_t>{indexed.id}));
  ASSERT_TRUE(db->reindex_done(indexed.id).has_value());
  ASSERT_TRUE(db->reindex_done(unindexed.id).has_value()) << "dequeuing what is not queued is a no-op";
  EXPECT_TRUE(db->reindex_queue(10)->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, ConformanceDiscussions, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hub::storage::db
