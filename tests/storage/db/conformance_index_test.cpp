// The Database conformance suite, listing index and counters: index rows, filters, search
// (substring and card words), visibility, keyset pagination over every sort, public tags,
// download windows and likes; each case on SQLite and on PostgreSQL (conformance_fixture.h).
#include <random>

#include "storage/db/conformance_fixture.h"

namespace hub::storage::db {
namespace {

class ConformanceIndex : public testing::Conformance {};

TEST_P(ConformanceIndex, IndexRowsRoundTripWithNulls) {
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

TEST_P(ConformanceIndex, ListingFiltersSearchAndVisibility) {
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

TEST_P(ConformanceIndex, HostileSearchesAreTextNotSyntax) {
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

TEST_P(ConformanceIndex, KeysetPaginationWalksEverySortOnce) {
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

TEST_P(ConformanceIndex, PublicTagsHideTagsOnlyPrivateReposCarry) {
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

TEST_P(ConformanceIndex, DownloadsAndLikesFeedTheWindows) {
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

INSTANTIATE_TEST_SUITE_P(Backends, ConformanceIndex, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace hub::storage::db
