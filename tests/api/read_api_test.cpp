// Repo info, tree, paths-info, commits, refs and auth-check through the in-process router.
#include <gtest/gtest.h>

#include <set>

#include "api/pagination.h"
#include "api_test_env.h"
#include "core/hash.h"

namespace hub::api::testing {
namespace {

class ReadApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    repo_ = make_repo(alice_, "bert");
    readme_ = "---\nlicense: mit\nlanguage: en\nlibrary_name: transformers\npipeline_tag: fill-mask\n---\n# Bert\n";
    sha1_ = commit(repo_, {{"README.md", readme_}, {"config.json", R"({"model_type":"bert","architectures":["BertForMaskedLM"]})"}},
                   {}, "main", "add card");
    sha2_ = commit(repo_, {{"sub/a.txt", "a"}, {"sub/deeper/b.txt", "bb"}}, {{"model.safetensors", std::string(5000, 'w')}},
                   "main", "add weights");
  }
  services::RepoHandle repo_;
  std::string readme_, sha1_, sha2_;
};

const json::object* find_path(const json::array& a, std::string_view key, std::string_view path) {
  for (auto& v : a)
    if (json::get_string(v.as_object(), key) == path) return &v.as_object();
  return nullptr;
}

TEST_F(ReadApiTest, RepoInfoFullFields) {
  auto r = get("/api/models/alice/bert");
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = body_json(r).as_object();
  EXPECT_EQ(json::get_string(o, "id"), "alice/bert");
  EXPECT_EQ(json::get_string(o, "_id"), repo_.row.uid);
  EXPECT_EQ(json::get_string(o, "author"), "alice");
  EXPECT_EQ(json::get_string(o, "sha"), sha2_);
  EXPECT_EQ(json::get_bool(o, "private"), false);
  EXPECT_EQ(json::get_bool(o, "gated"), false);
  EXPECT_EQ(json::get_string(o, "pipeline_tag"), "fill-mask");
  EXPECT_EQ(json::get_string(o, "library_name"), "transformers");
  ASSERT_TRUE(json::get_object(o, "cardData"));
  EXPECT_EQ(json::get_string(*json::get_object(o, "cardData"), "license"), "mit");
  ASSERT_TRUE(json::get_object(o, "config"));
  std::set<std::string> tags;
  for (auto& t : *json::get_array(o, "tags")) tags.insert(std::string(t.as_string()));
  EXPECT_TRUE(tags.count("license:mit") && tags.count("fill-mask") && tags.count("transformers")) << r.body;
  EXPECT_TRUE(json::get_string(o, "lastModified")->ends_with("Z"));
  EXPECT_TRUE(json::get_string(o, "createdAt")->ends_with("Z"));
  EXPECT_FALSE(json::find(o, "xetEnabled"));
  auto& sib = *json::get_array(o, "siblings");
  EXPECT_TRUE(find_path(sib, "rfilename", "sub/deeper/b.txt"));
  EXPECT_TRUE(find_path(sib, "rfilename", "model.safetensors"));
  EXPECT_FALSE(json::find(sib[0].as_object(), "size"));  // only with blobs=true
}

TEST_F(ReadApiTest, RepoInfoBlobsRevisionAndExpand) {
  auto r = get("/api/models/alice/bert?blobs=true");
  auto o = body_json(r).as_object();
  auto* w = find_path(*json::get_array(o, "siblings"), "rfilename", "model.safetensors");
  ASSERT_TRUE(w) << r.body;
  EXPECT_EQ(json::get_int(*w, "size"), 5000);
  ASSERT_TRUE(json::get_object(*w, "lfs"));
  EXPECT_EQ(json::get_string(*json::get_object(*w, "lfs"), "sha256"), sha256_hex(std::string(5000, 'w')));
  EXPECT_EQ(json::get_string(*w, "blobId")->size(), 40u);

  auto old = get("/api/models/alice/bert/revision/" + sha1_.substr(0, 10));
  ASSERT_EQ(old.status, 200);
  auto oo = body_json(old).as_object();
  EXPECT_EQ(json::get_string(oo, "sha"), sha1_);
  EXPECT_EQ(json::get_array(oo, "siblings")->size(), 3u);  // .gitattributes, README.md, config.json

  auto repo = storage::git::Repo::open(repo_.path);
  ASSERT_TRUE(repo->update_ref_cas("refs/pr/1", sha1_, ""));
  for (std::string rev : {"refs%2Fpr%2F1", "refs/pr/1"}) {
    auto pr = get("/api/models/alice/bert/revision/" + rev);
    EXPECT_EQ(json::get_string(body_json(pr).as_object(), "sha"), sha1_) << rev;
  }
  auto bad = get("/api/models/alice/bert/revision/nope");
  EXPECT_EQ(bad.status, 404);
  EXPECT_EQ(header(bad, "X-Error-Code"), "RevisionNotFound");

  auto e = get("/api/models/alice/bert?expand[]=sha&expand[]=pipeline_tag&expand=xetEnabled");
  auto eo = body_json(e).as_object();
  EXPECT_EQ(eo.size(), 4u) << e.body;  // _id, id + the two asked for
  EXPECT_EQ(json::get_string(eo, "sha"), sha2_);
  EXPECT_EQ(json::get_string(eo, "pipeline_tag"), "fill-mask");
  EXPECT_FALSE(json::find(eo, "xetEnabled"));
}

TEST_F(ReadApiTest, PrivateRepoInfoAndAuthCheck) {
  make_repo(alice_, "hidden", true);
  EXPECT_EQ(get("/api/models/alice/hidden").status, 401);
  EXPECT_EQ(header(get("/api/models/alice/hidden", bob_), "X-Error-Code"), "RepoNotFound");
  EXPECT_EQ(get("/api/models/alice/hidden", bob_).status, 404);
  EXPECT_EQ(get("/api/models/alice/hidden", alice_).status, 200);
  for (std::string ep : {"/tree/main", "/commits/main", "/refs", "/auth-check", "/revision/main"})
    EXPECT_EQ(header(get("/api/models/alice/hidden" + ep, bob_), "X-Error-Code"), "RepoNotFound") << ep;
  EXPECT_EQ(get("/api/models/alice/hidden/auth-check", alice_).status, 200);
  EXPECT_EQ(get("/api/models/alice/bert/auth-check").status, 200);
  EXPECT_EQ(get("/api/models/alice/bert/auth-check/write").status, 401);
  EXPECT_EQ(get("/api/models/alice/bert/auth-check/write", bob_).status, 403);
  EXPECT_EQ(get("/api/models/alice/bert/auth-check/write", alice_).status, 200);
}

TEST_F(ReadApiTest, TreeListing) {
  auto r = get("/api/models/alice/bert/tree/main");
  ASSERT_EQ(r.status, 200) << r.body;
  auto a = body_json(r).as_array();
  EXPECT_EQ(a.size(), 5u);  // .gitattributes README.md config.json model.safetensors sub
  auto* sub = find_path(a, "path", "sub");
  ASSERT_TRUE(sub);
  EXPECT_EQ(json::get_string(*sub, "type"), "directory");
  EXPECT_EQ(json::get_string(*sub, "oid")->size(), 40u);
  auto* w = find_path(a, "path", "model.safetensors");
  ASSERT_TRUE(w);
  EXPECT_EQ(json::get_int(*w, "size"), 5000);
  EXPECT_EQ(json::get_string(*json::get_object(*w, "lfs"), "oid"), sha256_hex(std::string(5000, 'w')));
  EXPECT_GT(*json::get_int(*json::get_object(*w, "lfs"), "pointerSize"), 100);
  EXPECT_FALSE(header(r, "Link").size());

  auto rec = get("/api/models/alice/bert/tree/main?recursive=true");
  auto ra = body_json(rec).as_array();
  EXPECT_TRUE(find_path(ra, "path", "sub/deeper"));  // directories included
  EXPECT_TRUE(find_path(ra, "path", "sub/deeper/b.txt"));
  EXPECT_EQ(ra.size(), 8u);

  // A sub-path, raw or with %2F as Python sends it.
  for (std::string p : {"sub/deeper", "sub%2Fdeeper"}) {
    auto s = get("/api/models/alice/bert/tree/main/" + p);
    ASSERT_EQ(s.status, 200) << p;
    auto sa = body_json(s).as_array();
    ASSERT_EQ(sa.size(), 1u);
    EXPECT_EQ(json::get_string(sa[0].as_object(), "path"), "sub/deeper/b.txt");
  }
  auto missing = get("/api/models/alice/bert/tree/main/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(header(missing, "X-Error-Code"), "EntryNotFound");

  auto ex = get("/api/models/alice/bert/tree/main?expand=true");
  auto ea = body_json(ex).as_array();
  auto* c = find_path(ea, "path", "config.json");
  ASSERT_TRUE(c && json::get_object(*c, "lastCommit")) << ex.body;
  EXPECT_EQ(json::get_string(*json::get_object(*c, "lastCommit"), "id"), sha1_);
  EXPECT_EQ(json::get_string(*json::get_object(*c, "lastCommit"), "title"), "add card");
}

TEST_F(ReadApiTest, TreePaginationWalksEveryFileOnce) {
  std::map<std::string, std::string> many;
  for (int i = 0; i < 2100; ++i) many["many/f" + std::to_string(i) + ".txt"] = std::to_string(i);
  std::string head = commit(repo_, many);
  std::string url = "/api/models/alice/bert/tree/main/many?recursive=1";
  std::set<std::string> seen;
  int pages = 0;
  while (!url.empty()) {
    auto r = get(url);
    ASSERT_EQ(r.status, 200) << r.body;
    auto items = body_json(r).as_array();
    for (auto& e : items) seen.insert(std::string(*json::get_string(e.as_object(), "path")));
    ++pages;
    // Move the branch mid-walk: later pages still list the first page's commit.
    if (pages == 1) commit(repo_, {{"many/zz-late.txt", "late"}});
    std::string link = header(r, "Link");
    if (link.empty()) break;
    ASSERT_TRUE(link.starts_with("<http://hub.test/api/models/alice/bert/tree/main/many?recursive=1&cursor="))
        << link;
    ASSERT_TRUE(link.ends_with(">; rel=\"next\""));
    url = link.substr(std::string("<http://hub.test").size(), link.find('>') - std::string("<http://hub.test").size());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen.size(), 2100u);
  EXPECT_FALSE(seen.count("many/zz-late.txt"));
  EXPECT_EQ(get("/api/models/alice/bert/tree/main?cursor=bogus").status, 400);
}

TEST_F(ReadApiTest, PathsInfoFormAndJson) {
  auto form = call("POST", "/api/models/alice/bert/paths-info/main",
                   {{"Content-Type", "application/x-www-form-urlencoded"}},
                   "paths=config.json&paths=sub&paths=missing.txt&paths=model.safetensors&expand=true");
  ASSERT_EQ(form.status, 200) << form.body;
  auto a = body_json(form).as_array();
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(json::get_string(*find_path(a, "path", "sub"), "type"), "directory");
  EXPECT_TRUE(json::get_object(*find_path(a, "path", "model.safetensors"), "lfs"));
  EXPECT_TRUE(json::get_object(*find_path(a, "path", "config.json"), "lastCommit"));

  auto js = call("POST", "/api/models/alice/bert/paths-info/" + sha1_, {{"Content-Type", "application/json"}},
                 R"({"paths":["README.md","sub/a.txt"],"expand":false})");
  ASSERT_EQ(js.status, 200) << js.body;
  auto ja = body_json(js).as_array();
  ASSERT_EQ(ja.size(), 1u);  // sub/a.txt did not exist at sha1
  EXPECT_FALSE(json::find(ja[0].as_object(), "lastCommit"));
  EXPECT_EQ(call("POST", "/api/models/alice/bert/paths-info/main", {{"Content-Type", "application/json"}}, "{oops")
                .status,
            400);
}

TEST_F(ReadApiTest, CommitsPaginatedNewestFirst) {
  auto r = get("/api/models/alice/bert/commits/main");
  ASSERT_EQ(r.status, 200) << r.body;
  auto a = body_json(r).as_array();
  ASSERT_EQ(a.size(), 3u);  // initial, add card, add weights
  EXPECT_EQ(header(r, "X-Total-Count"), "3");
  auto& first = a[0].as_object();
  EXPECT_EQ(json::get_string(first, "id"), sha2_);
  EXPECT_EQ(json::get_string(first, "title"), "add weights");
  EXPECT_EQ(json::get_string(json::get_array(first, "authors")->at(0).as_object(), "user"), "alice");
  EXPECT_TRUE(json::get_string(first, "date")->ends_with("Z"));

  auto p1 = get("/api/models/alice/bert/commits/main?limit=2&expand[]=formatted");
  ASSERT_EQ(body_json(p1).as_array().size(), 2u);
  EXPECT_TRUE(json::get_object(body_json(p1).as_array()[0].as_object(), "formatted"));
  std::string link = header(p1, "Link");
  ASSERT_FALSE(link.empty());
  EXPECT_NE(link.find("limit=2&expand%5B%5D=formatted&cursor="), std::string::npos) << link;
  std::string next = link.substr(std::string("<http://hub.test").size(), link.find('>') - std::string("<http://hub.test").size());
  auto p2 = get(next);
  auto a2 = body_json(p2).as_array();
  ASSERT_EQ(a2.size(), 1u);
  EXPECT_EQ(json::get_string(a2[0].as_object(), "title"), "initial commit");
  EXPECT_TRUE(header(p2, "Link").empty());

  auto repo = storage::git::Repo::open(repo_.path);
  ASSERT_TRUE(repo->update_ref_cas("refs/pr/2", sha1_, ""));
  auto pr = get("/api/models/alice/bert/commits/refs/pr/2");
  EXPECT_EQ(header(pr, "X-Total-Count"), "2");
  EXPECT_EQ(header(get("/api/models/alice/bert/commits/nope"), "X-Error-Code"), "RevisionNotFound");
}

TEST_F(ReadApiTest, Refs) {
  auto repo = storage::git::Repo::open(repo_.path);
  ASSERT_TRUE(repo->create_branch("dev", sha1_));
  ASSERT_TRUE(repo->create_tag("v1", sha1_, "release"));
  ASSERT_TRUE(repo->update_ref_cas("refs/pr/1", sha1_, ""));
  ASSERT_TRUE(repo->update_ref_cas("refs/convert/parquet", sha1_, ""));
  auto r = get("/api/models/alice/bert/refs");
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = body_json(r).as_object();
  EXPECT_EQ(json::get_array(o, "branches")->size(), 2u);
  auto* v1 = find_path(*json::get_array(o, "tags"), "name", "v1");
  ASSERT_TRUE(v1);
  EXPECT_EQ(json::get_string(*v1, "ref"), "refs/tags/v1");
  EXPECT_EQ(json::get_string(*v1, "targetCommit"), sha1_);  // annotated tag peeled
  EXPECT_EQ(json::get_array(o, "converts")->size(), 1u);
  EXPECT_FALSE(json::find(o, "pullRequests"));
  auto prs = body_json(get("/api/models/alice/bert/refs?include_prs=1")).as_object();
  ASSERT_TRUE(json::get_array(prs, "pullRequests"));
  EXPECT_EQ(json::get_string(json::get_array(prs, "pullRequests")->at(0).as_object(), "ref"), "refs/pr/1");
}

}  // namespace
}  // namespace hub::api::testing
