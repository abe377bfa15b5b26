#include "http/router.h"

#include <gtest/gtest.h>

namespace hub::http {
namespace {

Response tag(std::string t) { return Response::text(200, std::move(t)); }

Request req(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  return r;
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    r.add("GET", "/api/health", [](Request&) { return tag("health"); });
    r.add("GET", "/api/models/{ns}/{name}", [](Request&) { return tag("info"); });
    r.add("GET", "/api/models/{ns}/{name}/revision/{rev*}", [](Request&) { return tag("rev"); });
    r.add("POST", "/{ns}/{name}/git-upload-pack", [](Request&) { return tag("pack"); });
    r.add("GET", "/{ns}/{name}/resolve/{rest*}", [](Request&) { return tag("resolve"); });
  }
  std::string hit(Request& q) {
    const Route* route = nullptr;
    if (r.match(q, &route) != Router::Match::found) return "-";
    return route->handler(q).body;
  }
  Router r;
};

TEST_F(RouterTest, LiteralsParamsAndRest) {
  auto a = req("GET", "/api/health");
  EXPECT_EQ(hit(a), "health");
  auto b = req("GET", "/api/models/alice/bert");
  EXPECT_EQ(hit(b), "info");
  EXPECT_EQ(b.params["ns"], "alice");
  EXPECT_EQ(b.params["name"], "bert");
  auto c = req("GET", "/api/models/alice/bert/revision/refs/pr/1");
  EXPECT_EQ(hit(c), "rev");
  EXPECT_EQ(c.rest, (std::vector<std::string>{"refs", "pr", "1"}));
}

TEST_F(RouterTest, EncodedSlashStaysInsideOneSegment) {
  auto c = req("GET", "/api/models/alice/bert/revision/refs%2Fpr%2F1");
  EXPECT_EQ(hit(c), "rev");
  EXPECT_EQ(c.rest, (std::vector<std::string>{"refs/pr/1"}));
  auto d = req("GET", "/alice/bert/resolve/main/sub%2Fdir/file.txt");
  EXPECT_EQ(hit(d), "resolve");
  EXPECT_EQ(d.rest, (std::vector<std::string>{"main", "sub/dir", "file.txt"}));
}

TEST_F(RouterTest, HeadFollowsGetAndMethodsAreChecked) {
  auto h = req("HEAD", "/api/health");
  EXPECT_EQ(hit(h), "health");
  const Route* route = nullptr;
  auto p = req("POST", "/api/health");
  EXPECT_EQ(r.match(p, &route), Router::Match::bad_method);
  auto g = req("GET", "/alice/bert/git-upload-pack");
  EXPECT_EQ(r.match(g, &route), Router::Match::bad_method);
}

TEST_F(RouterTest, NotFoundAndBadEncoding) {
  const Route* route = nullptr;
  auto n = req("GET", "/api/models/alice");
  EXPECT_EQ(r.match(n, &route), Router::Match::not_found);
  auto e = req("GET", "/api/models/alice/b%zzert");
  EXPECT_EQ(r.match(e, &route), Router::Match::bad_encoding);
  auto t = req("GET", "/api/models/alice/bert%");
  EXPECT_EQ(r.match(t, &route), Router::Match::bad_encoding);
  auto empty = req("GET", "/api/models//bert");
  EXPECT_EQ(r.match(empty, &route), Router::Match::not_found);
}

TEST(SplitPath, TrailingSlashAndRoot) {
  EXPECT_TRUE(split_path("/").empty());
  EXPECT_EQ(split_path("/a/b/").size(), 2u);
  EXPECT_EQ(split_path("/a//b").size(), 3u);
}

}  // namespace
}  // namespace hub::http
