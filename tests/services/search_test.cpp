// services/search + counters: filters, sorts, keyset pagination that walks every result once,
// private visibility for each kind of caller, and download/like counts feeding the sorts.
#include "services/search.h"

#include <set>

#include "explore_fixture.h"
#include "services/counters.h"
#include "services/indexer.h"

namespace hub::services {
namespace {

using testing::ExploreTest;

class SearchTest : public ExploreTest {
 protected:
  void SetUp() override {
    ExploreTest::SetUp();
    alice_ = user("alice");
    bob_ = user("bob");
    admin_ = user("root", true);
  }
  std::vector<std::string> ids(const Principal& p, ListingParams lp) {
    auto page = list_repos(*hub_, p, lp);
    EXPECT_TRUE(page) << page.error().message;
    std::vector<std::string> out;
    if (page)
      for (auto& v : page->items) out.emplace_back(v.as_object().at("id").as_string());
    return out;
  }
  // Walks every page; fails on a duplicate.
  std::vector<std::string> walk(const Principal& p, ListingParams lp) {
    std::vector<std::string> all;
    std::set<std::string> seen;
    for (int pages = 0; pages < 1000; ++pages) {
      auto page = list_repos(*hub_, p, lp);
      EXPECT_TRUE(page) << page.error().message;
      if (!page) break;
      for (auto& v : page->items) {
        std::string id(v.as_object().at("id").as_string());
        EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
        all.push_back(id);
      }
      if (!page->next_cursor) break;
      lp.cursor = *page->next_cursor;
    }
    return all;
  }
  Principal alice_, bob_, admin_;
};

TEST_F(SearchTest, FiltersAreAndedOverTagsAndFacets) {
  auto a = repo(alice_, "bert-imdb");
  commit(a, {{"README.md", "---\nlibrary_name: transformers\npipeline_tag: text-classification\nlanguage: en\n"
                           "license: mit\ndatasets: [imdb]\n---\nSentiment of movie reviews.\n"}});
  auto b = repo(alice_, "roberta-ner");
  commit(b, {{"README.md", "---\nlibrary_name: transformers\npipeline_tag: token-classification\nlanguage: fr\n"
                           "license: apache-2.0\n---\nNamed entities.\n"}});
  auto c = repo(bob_, "gpt-small");
  commit(c, {{"README.md", "---\nlibrary_name: transformers\npipeline_tag: text-generation\nlanguage: en\n"
                           "license: mit\ntags: [text-classification]\n---\nWrites text.\n"}});
  ListingParams lp;
  lp.sort = "id";
  lp.direction = "1";
  lp.filters = {"license:mit"};
  EXPECT_EQ(ids(alice_, lp), (std::vector<std::string>{"alice/bert-imdb", "bob/gpt-small"}));
  lp.filters = {"license:mit", "dataset:imdb"};
  EXPECT_EQ(ids(alice_, lp), (std::vector<std::string>{"alice/bert-imdb"}));
  lp.filters = {"language:fr"};
  EXPECT_EQ(ids(alice_, lp), (std::vector<std::string>{"alice/roberta-ner"}));
  lp.filters = {"text-classification"};  // a tag: gpt-small declares it too
  EXPECT_EQ(ids(alice_, lp), (std::vector<std::string>{"alice/bert-imdb", "bob/gpt-small"}));
  lp.filters = {};
  lp.pipeline_tag = "text-classification";  // the exact pipeline_tag: only bert-imdb
  EXPECT_EQ(ids(alice_, lp), (std::vector<std::string>{"alice/bert-imdb"}));
  lp.pipeline_tag.clear();
  lp.language = "en";
  lp.library = "transformers";
  EXPECT_EQ(ids(alice_, lp), (std::vector<std::string>{"alice/bert-imdb", "bob/gpt-small"}));
  lp = {};
  lp.author = "BOB";
  EXPECT_EQ(ids(alice_, lp), (std::vector<std::string>{"bob/gpt-small"}));
  lp = {};
  lp.sort = "id";
  lp.direction = "1";
  lp.search = "BERT";  // substring of the id, any case (roberta-ner contains "bert" too)
  EXPECT_EQ(ids(alice_, lp), (std::vector<std::string>{"alice/bert-imdb", "alice/roberta-ner"}));
  lp.search = "movie reviews";  // card text, full-text
  EXPECT_EQ(ids(alice_, lp), (std::vector<std::string>{"alice/bert-imdb"}));
  lp.search = "be";  // short: substring only
  EXPECT_EQ(ids(alice_, lp), (std::vector<std::string>{"alice/bert-imdb", "alice/roberta-ner"}));
  lp.search = "%";
  EXPECT_TRUE(ids(alice_, lp).empty());
  lp = {};
  lp.filters = {"no-such-tag"};
  EXPECT_TRUE(ids(alice_, lp).empty());
}

TEST_F(SearchTest, ItemsHaveTheHubShape) {
  auto a = repo(alice_, "shape");
  commit(a, {{"README.md", "---\nlibrary_name: transformers\npipeline_tag: fill-mask\nlicense: mit\n---\n"}});
  ListingParams lp;
  auto page = list_repos(*hub_, alice_, lp);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  auto& o = page->items[0].as_object();
  for (auto k : {"_id", "id", "private", "downloads", "likes", "gated", "lastModified", "createdAt", "tags",
                 "pipeline_tag", "library_name"})
    EXPECT_TRUE(o.contains(k)) << k;
  EXPECT_EQ(o.at("pipeline_tag").as_string(), "fill-mask");
  EXPECT_FALSE(o.contains("cardData"));
  lp.card_data = true;
  page = list_repos(*hub_, alice_, lp);
  EXPECT_EQ(page->items[0].as_object().at("cardData").as_object().at("license").as_string(), "mit");
  lp = {};
  lp.expand = {"downloads", "sha"};
  page = list_repos(*hub_, alice_, lp);
  auto& e = page->items[0].as_object();
  EXPECT_TRUE(e.contains("sha") && e.contains("downloads") && e.contains("_id") && e.contains("id"));
  EXPECT_FALSE(e.contains("tags"));
  lp = {};
  lp.full = true;
  page = list_repos(*hub_, alice_, lp);
  EXPECT_TRUE(page->items[0].as_object().contains("siblings"));
}

TEST_F(SearchTest, PaginationWalksEveryResultOnceInOrder) {
  // 37 repos; likes make ties on purpose (many repos share a sort key).
  std::vector<RepoHandle> repos;
  for (int i = 0; i < 37; ++i) repos.push_back(repo(i % 2 ? alice_ : bob_, "m" + std::to_string(i)));
  for (int i = 0; i < 37; ++i)
    if (i % 3 == 0) ASSERT_TRUE(set_repo_like(*hub_, alice_, "model", repos[size_t(i)].row.ns, repos[size_t(i)].row.name, true));
  for (int i = 0; i < 37; ++i)
    if (i % 4 == 0) ASSERT_TRUE(set_repo_like(*hub_, bob_, "model", repos[size_t(i)].row.ns, repos[size_t(i)].row.name, true));
  for (auto sort : {"likes", "downloads", "id", "createdAt", "lastModified", "trendingScore"}) {
    for (auto dir : {"-1", "1"}) {
      ListingParams lp;
      lp.sort = sort;
      lp.direction = dir;
      lp.limit = 5;
      auto all = walk(alice_, lp);
      EXPECT_EQ(all.size(), 37u) << sort << dir;
      ListingParams one = lp;
      one.limit = 1000;
      EXPECT_EQ(all, ids(alice_, one)) << sort << dir;
    }
  }
  // Likes order: 2 likes (i % 12 == 0), then 1, then 0.
  ListingParams lp;
  lp.sort = "likes";
  lp.limit = 3;
  auto top = ids(alice_, lp);
  EXPECT_EQ(top.size(), 3u);
  for (auto& id : top) {
    int i = std::stoi(id.substr(id.find("/m") + 2));
    EXPECT_EQ(i % 12, 0) << id;
  }
  // A repo created mid-walk does not disturb the walk.
  lp = {};
  lp.sort = "id";
  lp.direction = "1";
  lp.limit = 10;
  auto first = list_repos(*hub_, alice_, lp);
  ASSERT_TRUE(first && first->next_cursor);
  repo(alice_, "a0-inserted-before");  // sorts before every m*
  lp.cursor = *first->next_cursor;
  auto rest = walk(alice_, lp);
  EXPECT_EQ(first->items.size() + rest.size(), 37u);
  // A cursor of one sort is refused by another.
  lp.sort = "likes";
  EXPECT_FALSE(list_repos(*hub_, alice_, lp));
  lp.cursor = "garbage!";
  EXPECT_FALSE(list_repos(*hub_, alice_, lp));
}

TEST_F(SearchTest, PrivateReposAreVisibleOnlyToThoseWithAccess) {
  auto org = create_org(*hub_, "acme", "Acme", {});
  ASSERT_TRUE(org) << org.error().message;
  auto alice_acc = hub_->db().account_by_name("alice");
  ASSERT_TRUE(hub_->db().add_member(org->id, alice_acc->id, "write"));
  auto pub = repo(alice_, "public-bert");
  auto priv = repo(alice_, "secret-bert", true);
  commit(priv, {{"README.md", "---\nlicense: mit\ntags: [topsecret]\n---\nclassified bert\n"}});
  auto r = create_repo(*hub_, alice_, NewRepo{"model", "acme", "org-secret-bert", true});
  ASSERT_TRUE(r) << r.error().message;
  Principal anon;
  for (auto* p : {&anon, &bob_}) {
    for (auto q : std::vector<ListingParams>{{}, {.search = "secret"}, {.search = "classified"},
                                             {.filters = {"topsecret"}}, {.author = "alice"}, {.sort = "id"}}) {
      for (auto& id : ids(*p, q)) EXPECT_EQ(id.find("secret"), std::string::npos) << id;
    }
  }
  auto tags = tags_by_type(*hub_, "model");
  ASSERT_TRUE(tags);
  EXPECT_EQ(json::serialize(*tags).find("topsecret"), std::string::npos);
  ListingParams q;
  q.search = "bert";
  q.sort = "id";
  EXPECT_EQ(ids(alice_, q).size(), 3u);  // owner and org member
  EXPECT_EQ(ids(admin_, q).size(), 3u);
  EXPECT_EQ(ids(bob_, q).size(), 1u);
  // Turning the repo public shows it at once; private again hides it.
  ASSERT_TRUE(update_repo_settings(*hub_, alice_, "model", "alice", "secret-bert", false, std::nullopt));
  EXPECT_EQ(ids(bob_, q).size(), 2u);
  ASSERT_TRUE(update_repo_settings(*hub_, alice_, "model", "alice", "secret-bert", true, std::nullopt));
  EXPECT_EQ(ids(bob_, q).size(), 1u);
  // Renames and deletes are reflected at once too.
  ASSERT_TRUE(move_repo(*hub_, alice_, "model", "alice/public-bert", "alice/renamed-model"));
  q.search = "renamed";
  EXPECT_EQ(ids(bob_, q), (std::vector<std::string>{"alice/renamed-model"}));
  ASSERT_TRUE(delete_repo(*hub_, alice_, "model", "alice", "renamed-model"));
  EXPECT_TRUE(ids(bob_, q).empty());
}

TEST_F(SearchTest, DownloadsAreCountedTheHubWayAndSortTheListing) {
  auto a = repo(alice_, "popular");
  auto b = repo(alice_, "quiet");
  auto peft = repo(alice_, "adapter");
  commit(peft, {{"README.md", "---\nlibrary_name: peft\n---\n"}, {"adapter_config.json", "{}"}});
  auto ds = repo(alice_, "data", false, "dataset");
  for (int i = 0; i < 3; ++i) count_file_request(*hub_, a.row, "config.json", "1.1.1.1");
  count_file_request(*hub_, a.row, "README.md", "1.1.1.1");         // not a query file
  count_file_request(*hub_, a.row, "sub/config.json", "1.1.1.1");   // only at the root
  count_file_request(*hub_, b.row, "config.json", "1.1.1.1");
  count_file_request(*hub_, peft.row, "config.json", "1.1.1.1");    // peft counts adapter_config.json
  count_file_request(*hub_, peft.row, "adapter_config.json", "1.1.1.1");
  for (auto f : {"a.parquet", "b.parquet", "README.md"}) count_file_request(*hub_, ds.row, f, "2.2.2.2");
  count_file_request(*hub_, ds.row, "a.parquet", "3.3.3.3");
  ASSERT_TRUE(flush_counters(*hub_));
  EXPECT_EQ(repo_counters(*hub_, a.row.id).downloads, 3);
  EXPECT_EQ(repo_counters(*hub_, a.row.id).downloads_all, 3);
  EXPECT_EQ(repo_counters(*hub_, b.row.id).downloads, 1);
  EXPECT_EQ(repo_counters(*hub_, peft.row.id).downloads, 1);
  EXPECT_EQ(repo_counters(*hub_, ds.row.id).downloads, 2);  // two IPs within 5 minutes
  ListingParams lp;
  lp.sort = "downloads";
  EXPECT_EQ(ids(bob_, lp), (std::vector<std::string>{"alice/popular", "alice/adapter", "alice/quiet"}));
  // Buckets older than 30 days leave `downloads` but stay in the all-time figure.
  int64_t today = now_ms() / 86'400'000;
  ASSERT_TRUE(hub_->db().add_downloads({{b.row.id, today - 40, 10}}, today));
  EXPECT_EQ(repo_counters(*hub_, b.row.id).downloads, 1);
  EXPECT_EQ(repo_counters(*hub_, b.row.id).downloads_all, 11);
  // Likes: once per user, anonymous refused, private repos unlikable by outsiders.
  EXPECT_EQ(set_repo_like(*hub_, bob_, "model", "alice", "quiet", true).value_or(-1), 1);
  EXPECT_EQ(set_repo_like(*hub_, bob_, "model", "alice", "quiet", true).value_or(-1), 1);
  EXPECT_FALSE(set_repo_like(*hub_, Principal{}, "model", "alice", "quiet", true));
  repo(alice_, "hidden", true);
  EXPECT_FALSE(set_repo_like(*hub_, bob_, "model", "alice", "hidden", true));
  auto liked = liked_repos(*hub_, alice_, "bob", "", 10);
  ASSERT_TRUE(liked);
  ASSERT_EQ(liked->items.size(), 1u);
  EXPECT_EQ(liked->items[0].repo.full_id(), "alice/quiet");
  EXPECT_EQ(set_repo_like(*hub_, bob_, "model", "alice", "quiet", false).value_or(-1), 0);
}

}  // namespace
}  // namespace hub::services
