// Preupload decisions (regular vs lfs, shouldIgnore, oid), the .gitignore matcher, the Xet token
// routes and validate-yaml.
#include <gtest/gtest.h>

#include "api/commit_test_env.h"
#include "services/preupload.h"

namespace hub::api::testing {
namespace {

class PreuploadApi : public WriteApiTest {
 protected:
  json::object decide(const std::string& body, int want = 200, const std::string& rev = "main") {
    auto r = post_json("/api/models/alice/m/preupload/" + rev, alice_, body);
    EXPECT_EQ(r.status, want) << r.body;
    auto v = body_json(r);
    return v.is_object() ? v.as_object() : json::object{};
  }
  static std::map<std::string, json::object> by_path(const json::object& res) {
    std::map<std::string, json::object> m;
    for (auto& f : res.at("files").as_array()) m[std::string(f.at("path").as_string())] = f.as_object();
    return m;
  }
};

TEST_F(PreuploadApi, ModesFromSizeSampleAndAttributes) {
  auto h = make_repo(alice_, "m");
  std::string cfg = "{\"a\": 1}\n";
  std::string weights = "weights";
  commit(h, {{"config.json", cfg}}, {{"model.safetensors", weights}});
  std::string bin_sample = base64_encode(std::string("ab\0cd", 5));
  auto res = by_path(decide(R"({"files":[
      {"path":"config.json","size":9,"sample":")" + base64_encode(cfg) + R"("},
      {"path":"model.safetensors","size":7,"sample":")" + base64_encode(weights) + R"("},
      {"path":"big.txt","size":10485760,"sample":"aGk="},
      {"path":"small.txt","size":10485759,"sample":"aGk="},
      {"path":"nul.dat","size":5,"sample":")" + bin_sample + R"("},
      {"path":"sub/x.bin","size":1,"sample":"eA=="}]})"));
  ASSERT_EQ(res.size(), 6u);
  EXPECT_EQ(res["config.json"].at("uploadMode"), "regular");
  EXPECT_EQ(res["config.json"].at("shouldIgnore"), false);
  // Regular: the git blob sha1 of what is there now, which the client compares with its own.
  EXPECT_EQ(res["config.json"].at("oid"), json::value(sha1_hex("blob " + std::to_string(cfg.size()) + std::string(1, '\0') + cfg)));
  EXPECT_EQ(res["model.safetensors"].at("uploadMode"), "lfs");
  EXPECT_EQ(res["model.safetensors"].at("oid"), json::value(sha256_hex(weights)));
  EXPECT_EQ(res["big.txt"].at("uploadMode"), "lfs");
  EXPECT_EQ(res["small.txt"].at("uploadMode"), "regular");
  EXPECT_EQ(res["nul.dat"].at("uploadMode"), "lfs");
  EXPECT_EQ(res["sub/x.bin"].at("uploadMode"), "lfs");  // *.bin in the Hub's default attributes
  EXPECT_FALSE(res["big.txt"].contains("oid"));
}

TEST_F(PreuploadApi, RequestGitAttributesOverrideAndGitIgnore) {
  make_repo(alice_, "m");
  auto res = by_path(decide(R"({"gitAttributes":"*.txt filter=lfs diff=lfs merge=lfs -text\n",
      "gitIgnore":"*.log\nbuild/\n!keep.log\n",
      "files":[{"path":"a.txt","size":3,"sample":"YWJj"},{"path":"w.bin","size":3,"sample":"YWJj"},
               {"path":"x/run.log","size":1,"sample":"eA=="},{"path":"keep.log","size":1,"sample":"eA=="},
               {"path":"build/out/o.json","size":1,"sample":"eA=="}]})"));
  EXPECT_EQ(res["a.txt"].at("uploadMode"), "lfs");
  EXPECT_EQ(res["w.bin"].at("uploadMode"), "regular");  // the override replaces the repo's rules
  EXPECT_EQ(res["x/run.log"].at("shouldIgnore"), true);
  EXPECT_EQ(res["keep.log"].at("shouldIgnore"), false);
  EXPECT_EQ(res["build/out/o.json"].at("shouldIgnore"), true);
  EXPECT_EQ(res["a.txt"].at("shouldIgnore"), false);
}

TEST_F(PreuploadApi, Errors) {
  make_repo(alice_, "m");
  decide("{not json", 400);
  decide(R"({"files":"x"})", 400);
  decide(R"({"files":[{"path":"a","size":1,"sample":"!!"}]})", 400);
  auto nobranch = post_json("/api/models/alice/m/preupload/nope", alice_, R"({"files":[]})");
  EXPECT_EQ(nobranch.status, 404);
  EXPECT_EQ(header(nobranch, "X-Error-Code"), "RevisionNotFound");
  EXPECT_EQ(post_json("/api/models/alice/m/preupload/main", bob_, R"({"files":[]})").status, 403);
  EXPECT_EQ(post_json("/api/models/alice/m/preupload/main?create_pr=1", bob_, R"({"files":[]})").status, 200);
}

TEST(GitIgnore, Patterns) {
  using services::gitignore_matches;
  EXPECT_TRUE(gitignore_matches("*.log", "a/b/c.log"));
  EXPECT_FALSE(gitignore_matches("*.log", "a/b/c.log.txt"));
  EXPECT_TRUE(gitignore_matches("/top.txt", "top.txt"));
  EXPECT_FALSE(gitignore_matches("/top.txt", "sub/top.txt"));
  EXPECT_TRUE(gitignore_matches("docs/*.md", "docs/a.md"));
  EXPECT_FALSE(gitignore_matches("docs/*.md", "docs/x/a.md"));
  EXPECT_TRUE(gitignore_matches("docs/**/*.md", "docs/x/y/a.md"));
  EXPECT_TRUE(gitignore_matches("docs/**/*.md", "docs/a.md"));
  EXPECT_TRUE(gitignore_matches("**/cache", "a/cache/f"));
  EXPECT_TRUE(gitignore_matches("out/", "out/f.txt"));
  EXPECT_FALSE(gitignore_matches("out/", "out"));  // a file named out
  EXPECT_TRUE(gitignore_matches("f[0-9].txt", "f7.txt"));
  EXPECT_FALSE(gitignore_matches("f[!0-9].txt", "f7.txt"));
  EXPECT_TRUE(gitignore_matches("*.tmp\n!keep.tmp", "x.tmp"));
  EXPECT_FALSE(gitignore_matches("*.tmp\n!keep.tmp", "keep.tmp"));
  EXPECT_TRUE(gitignore_matches("dir/\n!dir/keep.txt", "dir/keep.txt"));  // no re-include inside an ignored folder
  EXPECT_FALSE(gitignore_matches("# comment\n\n", "x"));
  EXPECT_TRUE(gitignore_matches("\\#hash", "#hash"));
  EXPECT_TRUE(gitignore_matches("a?c", "abc"));
  EXPECT_FALSE(gitignore_matches("a?c", "a/c"));
}

// Xet tokens (issue 16) are issued by the same access rules as uploads: the owner gets both,
// another user only a read token for a public repo (a write token with create_pr=1, as for
// preupload), and anonymous callers no write token.
TEST_F(PreuploadApi, XetTokensFollowTheRepoPermissions) {
  make_repo(alice_, "m");
  for (auto kind : {"xet-write-token", "xet-read-token"}) {
    auto r = get(std::string("/api/models/alice/m/") + kind + "/main", alice_);
    ASSERT_EQ(r.status, 200) << kind;
    auto v = body_json(r);
    const auto& o = v.as_object();
    EXPECT_FALSE(std::string(o.at("accessToken").as_string()).empty());
    EXPECT_GT(o.at("exp").to_number<int64_t>(), 0);
    EXPECT_NE(std::string(o.at("casUrl").as_string()).find("/xet-cas"), std::string::npos);
  }
  EXPECT_EQ(get("/api/models/alice/m/xet-read-token/main", bob_).status, 200);
  EXPECT_EQ(get("/api/models/alice/m/xet-write-token/main", bob_).status, 403);
  EXPECT_EQ(get("/api/models/alice/m/xet-write-token/main?create_pr=1", bob_).status, 200);
  EXPECT_EQ(get("/api/models/alice/m/xet-write-token/main").status, 401);
}

TEST_F(PreuploadApi, ValidateYamlAlwaysAnswersJson) {
  auto ok = post_json("/api/validate-yaml", "", R"({"content":"---\nlicense: mit\ntags: [a]\n---\n# x\n","repoType":"model"})");
  EXPECT_EQ(ok.status, 200);
  EXPECT_TRUE(body_json(ok).as_object().at("errors").as_array().empty());
  auto none = post_json("/api/validate-yaml", "", R"({"content":"# no front matter\n"})");
  EXPECT_EQ(none.status, 200);
  auto bad = post_json("/api/validate-yaml", "", R"({"content":"---\nlicense: [unclosed\n---\n"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_FALSE(body_json(bad).as_object().at("errors").as_array().empty());
  auto list = post_json("/api/validate-yaml", "", R"({"content":"---\n- a\n- b\n---\n"})");
  EXPECT_EQ(list.status, 400);
  auto garbage = post_json("/api/validate-yaml", "", "nope");
  EXPECT_EQ(garbage.status, 400);
  EXPECT_TRUE(body_json(garbage).is_object());
}

}  // namespace
}  // namespace hub::api::testing
