// The Database conformance suite, several nodes on one database (issue 18): named locks held
// across handles, settings initialised once under concurrent start, dataset download windows
// shared by every node, and index rows written only if newer. Each case on SQLite and on
// PostgreSQL (conformance_fixture.h); "nodes" are separate Database handles on one database.
#include <atomic>
#include <thread>

#include "storage/db/conformance_fixture.h"

namespace hub::storage::db {
namespace {

class ConformanceCluster : public testing::Conformance {
 protected:
  std::unique_ptr<Database> second() {
    auto d = Database::open(url);
    EXPECT_TRUE(d.has_value()) << d.error().message;
    return d ? std::move(*d) : nullptr;
  }
};

TEST_P(ConformanceCluster, LockExcludesOtherHandlesUntilReleased) {
  auto other = second();
  ASSERT_TRUE(other);
  // 8 threads over two handles bump a counter inside the lock with a read-pause-write: any
  // overlap loses an increment.
  int counter = 0;
  std::atomic<int> inside{0}, overlaps{0}, errors{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      Database& d = t % 2 ? *other : *db;
      for (int i = 0; i < 10; ++i) {
        auto held = d.lock("repo-commit:42");
        if (!held) {
          errors++;
          continue;
        }
        if (inside.fetch_add(1) != 0) overlaps++;
        int seen = counter;
        std::this_thread::yield();
        counter = seen + 1;
        inside.fetch_sub(1);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(overlaps.load(), 0);
  EXPECT_EQ(counter, 80);
}

TEST_P(ConformanceCluster, LocksOfDifferentNamesDoNotWait) {
  auto other = second();
  ASSERT_TRUE(other);
  auto a = db->lock("startup-queues");
  ASSERT_TRUE(a.has_value()) << a.error().message;
  // Another name on another handle is free while "startup-queues" is held (else this blocks).
  auto b = other->lock("index-catchup");
  ASSERT_TRUE(b.has_value()) << b.error().message;
  b->reset();
  a->reset();
  // Released: the other handle takes it at once, and a name with odd bytes is just a name.
  auto c = other->lock("startup-queues");
  EXPECT_TRUE(c.has_value());
  auto d = db->lock(std::string("odd'\"\\ name\xff", 12));
  EXPECT_TRUE(d.has_value());
}

TEST_P(ConformanceCluster, SettingIsStoredOnceUnderConcurrentInit) {
  auto other = second();
  ASSERT_TRUE(other);
  std::vector<std::string> got(8);
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      Database& d = t % 2 ? *other : *db;
      auto v = d.setting_or_init("secret", "candidate-" + std::to_string(t));
      got[size_t(t)] = v ? *v : "error: " + v.error().message;
    });
  for (auto& t : ts) t.join();
  ASSERT_TRUE(got[0].starts_with("candidate-")) << got[0];
  for (auto& g : got) EXPECT_EQ(g, got[0]);
  EXPECT_EQ(*db->setting_or_init("secret", "later"), got[0]);
  EXPECT_EQ(*db->setting_or_init("other", "x"), "x");
}

TEST_P(ConformanceCluster, DownloadWindowsAreSharedByEveryHandle) {
  user("alice");
  auto r = repo("alice", "data", false, 1, "dataset");
  auto r2 = repo("alice", "data2", false, 1, "dataset");
  auto other = second();
  ASSERT_TRUE(other);
  constexpr int64_t w = 300'000;
  auto a = db->open_download_windows({{r.id, "1.2.3.4", 1000}, {r.id, "5.6.7.8", 1000}, {r2.id, "1.2.3.4", 1000}}, w);
  ASSERT_TRUE(a.has_value()) << a.error().message;
  EXPECT_EQ(*a, (std::vector<bool>{true, true, true}));
  // The other node sees the same visitor within the window: not counted; after it: counted.
  auto b = other->open_download_windows({{r.id, "1.2.3.4", 1000 + w - 1}, {r.id, "1.2.3.4", 1000 + w}}, w);
  ASSERT_TRUE(b.has_value()) << b.error().message;
  EXPECT_EQ(*b, (std::vector<bool>{false, true}));
  // A visit of a repo that is gone counts nothing; no visits is no work.
  auto c = db->open_download_windows({{r.id + 1000, "1.2.3.4", 5000}}, w);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(*c, std::vector<bool>{false});
  EXPECT_TRUE(db->open_download_windows({}, w)->empty());
  // Hostile visitor strings are data.
  auto d = db->open_download_windows({{r.id, std::string("\0'; DROP TABLE x;--\xff", 21), 9000}}, w);
  ASSERT_TRUE(d.has_value()) << d.error().message;
  EXPECT_EQ(*d, std::vector<bool>{true});
}

TEST_P(ConformanceCluster, ConcurrentVisitsOfOneWindowCountOnce) {
  user("alice");
  auto r = repo("alice", "data", false, 1, "dataset");
  auto other = second();
  ASSERT_TRUE(other);
  std::atomic<int> opened{0}, errors{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&, t] {
      Database& d = t % 2 ? *other : *db;
      auto v = d.open_download_windows({{r.id, "9.9.9.9", 1000 + t}}, 300'000);
      if (!v) errors++;
      else if ((*v)[0]) opened++;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(opened.load(), 1);
}

TEST_P(ConformanceCluster, IndexRowsAreWrittenOnlyIfNewer) {
  user("alice");
  auto r = repo("alice", "m");
  EXPECT_EQ(*db->ref_update_seq(r.id), 0);
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(db->record_ref_update({r.id, "refs/heads/main", std::string(40, '0'), std::string(40, char('a' + i)), i})
                    .has_value());
  auto seq = db->ref_update_seq(r.id);
  ASSERT_TRUE(seq.has_value());
  EXPECT_GT(*seq, 0);
  auto put = [&](int64_t s, char c, std::string tag) {
    RepoIndexRow row;
    row.repo_id = r.id;
    row.commit = std::string(40, c);
    row.tags = {std::move(tag)};
    row.seq = s;
    row.indexed_at = s;
    auto w = db->put_repo_index({row});
    ASSERT_TRUE(w.has_value()) << w.error().message;
  };
  put(*seq, 'n', "newer");
  put(*seq - 1, 'o', "older");  // a slow indexer that read an older head: ignored
  auto row = db->repo_index(r.id);
  ASSERT_TRUE(row.has_value() && *row);
  EXPECT_EQ((*row)->commit, std::string(40, 'n'));
  RepoQuery q;
  q.type = "model";
  q.tags = {"older"};
  EXPECT_TRUE(names(q).empty());  // its tags were not written either
  q.tags = {"newer"};
  EXPECT_EQ(names(q), std::vector<std::string>{"alice/m"});
  put(*seq, 'e', "equal");  // the same seq (a re-index under new rules) replaces it
  EXPECT_EQ((*db->repo_index(r.id))->commit, std::string(40, 'e'));
  // Another repo's updates do not move this one's seq.
  auto r2 = repo("alice", "m2");
  ASSERT_TRUE(db->record_ref_update({r2.id, "refs/heads/main", std::string(40, '0'), std::string(40, 'f'), 9}).has_value());
  EXPECT_EQ(*db->ref_update_seq(r.id), *seq);
}

INSTANTIATE_TEST_SUITE_P(Backends, ConformanceCluster, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hub::storage::db
