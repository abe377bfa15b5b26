// Issue 14 #7, #9, #10 through the real route table: read tokens are refused on every route
// that changes state (and nothing changes); Basic user:password is refused on the API; the log-in
// throttle answers 429 with Retry-After; cookie-authenticated writes need the CSRF token or a
// same-origin Origin, token calls do not; cookies are Secure behind https.
#include <gtest/gtest.h>

#include "api/commit_test_env.h"
#include "services/accounts.h"
#include "services/counters.h"

namespace hub::api::testing {
namespace {

class AuthApiTest : public WriteApiTest {
 protected:
  void SetUp() override {
    WriteApiTest::SetUp();
    auto a = hub_->db().account_by_name("alice");
    auto b = hub_->db().account_by_name("bob");
    ASSERT_TRUE(a && b);
    alice_id_ = a->id;
    alice_read_ = services::create_token(*hub_, a->id, "ro", "read")->secret;
    bob_read_ = services::create_token(*hub_, b->id, "ro", "read")->secret;
    pub_ = make_repo(alice_, "pub");
    commit(pub_, {{"README.md", "hello"}});
  }
  // Everything about alice/pub a write could change.
  std::string snapshot() {
    auto repo = storage::git::Repo::open(pub_.path);
    EXPECT_TRUE(repo);
    std::string out;
    auto refs = repo->list_refs();
    EXPECT_TRUE(refs);
    for (const auto* list : {&refs->branches, &refs->tags, &refs->pull_requests, &refs->converts})
      for (const auto& r : *list) out += r.ref + "=" + r.target + "\n";
    auto row = hub_->db().repo_by_name("model", "alice", "pub");
    EXPECT_TRUE(row);
    out += "private=" + std::to_string(row->is_private) + " gated=" + row->gated + " name=" + row->full_id() + "\n";
    out += "likes=" + std::to_string(services::repo_counters(*hub_, row->id).likes) + "\n";
    auto tokens = hub_->db().tokens_of(alice_id_);
    out += "alice tokens=" + std::to_string(tokens ? tokens->size() : 0) + "\n";
    auto repos = hub_->db().repo_by_name("model", "alice", "x");
    out += "alice/x exists=" + std::to_string(bool(repos)) + "\n";
    return out;
  }
  services::IssuedSession session(const std::string& user, const std::string& password) {
    auto s = services::login(*hub_, user, password, "127.0.0.1");
    EXPECT_TRUE(s.has_value());
    return *s;
  }
  int64_t alice_id_ = 0;
  std::string alice_read_, bob_read_;
  services::RepoHandle pub_;
};

struct Attempt {
  std::string method, target, body;
};

std::vector<Attempt> every_write() {
  std::string ndjson = R"({"key":"header","value":{"summary":"x"}})" "\n"
                       R"({"key":"file","value":{"path":"a.txt","content":"eA==","encoding":"base64"}})" "\n";
  std::string oid(64, 'a');
  return {
      {"POST", "/api/repos/create", R"({"name":"x"})"},
      {"DELETE", "/api/repos/delete", R"({"name":"alice/pub"})"},
      {"POST", "/api/repos/move", R"({"fromRepo":"alice/pub","toRepo":"alice/moved"})"},
      {"PUT", "/api/models/alice/pub/settings", R"({"private":true})"},
      {"POST", "/api/models/alice/pub/commit/main", ndjson},
      {"POST", "/api/models/alice/pub/commit/main?create_pr=1", ndjson},
      {"POST", "/api/models/alice/pub/branch/b", "{}"},
      {"DELETE", "/api/models/alice/pub/branch/main", ""},
      {"POST", "/api/models/alice/pub/tag/main", R"({"tag":"v1"})"},
      {"POST", "/api/models/alice/pub/super-squash/main", "{}"},
      {"POST", "/api/models/alice/pub/like", ""},
      {"DELETE", "/api/models/alice/pub/like", ""},
      {"POST", "/api/settings/tokens", R"({"name":"more","role":"write"})"},
      {"DELETE", "/api/settings/tokens/1", ""},
      {"POST", "/alice/pub.git/info/lfs/objects/batch",
       R"({"operation":"upload","objects":[{"oid":")" + oid + R"(","size":1}]})"},
      {"POST", "/alice/pub.git/info/lfs/verify", R"({"oid":")" + oid + R"(","size":1})"},
      {"POST", "/alice/pub.git/info/lfs/locks", R"({"path":"a.bin"})"},
      {"GET", "/alice/pub.git/info/refs?service=git-receive-pack", ""},
      {"POST", "/alice/pub.git/git-receive-pack", "0000"},
  };
}

TEST_F(AuthApiTest, ReadTokensAreRefusedOnEveryWrite) {
  std::string before = snapshot();
  for (const std::string* token : {&alice_read_, &bob_read_}) {
    for (const auto& a : every_write()) {
      auto r = call(a.method, a.target, {{"Authorization", "Bearer " + *token}, {"Content-Type", "application/json"}},
                    a.body);
      std::string who = (token == &alice_read_ ? "owner's read token: " : "other's read token: ") + a.method + " " + a.target;
      EXPECT_EQ(r.status, 403) << who << " -> " << r.body;
      EXPECT_NE(r.body.find("read-only"), std::string::npos) << who << " -> " << r.body;
    }
  }
  // git sends tokens as Basic passwords: the same refusal.
  auto basic = call("POST", "/alice/pub.git/git-receive-pack", {{"Authorization", "Basic " + base64_encode("x:" + alice_read_)}}, "0000");
  EXPECT_EQ(basic.status, 403);
  EXPECT_EQ(snapshot(), before);

  // Reads still work with a read token, including the POST routes that only read.
  EXPECT_EQ(get("/api/models/alice/pub", alice_read_).status, 200);
  EXPECT_EQ(call("POST", "/api/models/alice/pub/paths-info/main",
                 {{"Authorization", "Bearer " + bob_read_}, {"Content-Type", "application/json"}}, R"({"paths":["README.md"]})")
                .status,
            200);
  auto dl = call("POST", "/alice/pub.git/info/lfs/objects/batch", {{"Authorization", "Bearer " + bob_read_}},
                 R"({"operation":"download","objects":[]})");
  EXPECT_EQ(dl.status, 200) << dl.body;
  // And the same writes with write tokens are not refused for scope (bob opens a PR, likes).
  EXPECT_EQ(call("POST", "/api/models/alice/pub/like", {{"Authorization", "Bearer " + bob_}}).status, 200);
  EXPECT_EQ(post_commit("/api/models/alice/pub/commit/main?create_pr=1", bob_,
                        {header_line("pr"), file_line("b.txt", "b")}).status,
            200);
}

TEST_F(AuthApiTest, PasswordsAreRefusedOnTheApi) {
  auto r = call("POST", "/api/repos/create", {{"Authorization", "Basic " + base64_encode("alice:alice-password-123")}},
                R"({"name":"x"})");
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(header(r, "X-Error-Message").find("use an access token"), std::string::npos) << header(r, "X-Error-Message");
  auto who = call("GET", "/api/whoami-v2", {{"Authorization", "Basic " + base64_encode("alice:alice-password-123")}});
  EXPECT_EQ(who.status, 401);
  // git reads a challenge and asks for credentials again.
  auto git = call("GET", "/alice/pub.git/info/refs?service=git-receive-pack",
                  {{"Authorization", "Basic " + base64_encode("alice:alice-password-123")}});
  EXPECT_EQ(git.status, 401);
  EXPECT_FALSE(header(git, "WWW-Authenticate").empty());
  // Tokens as Basic passwords (any user name) keep working.
  auto ok = call("GET", "/api/whoami-v2", {{"Authorization", "Basic " + base64_encode("whoever:" + alice_)}});
  EXPECT_EQ(ok.status, 200);
}

TEST_F(AuthApiTest, LoginIsThrottledWith429AndRetryAfter) {
  http::Response last;
  int i = 0;
  for (; i < 50; ++i) {
    last = call("POST", "/api/login", {{"Content-Type", "application/json"}},
                R"({"username":"alice","password":"guess)" + std::to_string(i) + R"("})");
    if (last.status != 401) break;
  }
  EXPECT_EQ(last.status, 429) << last.body;
  EXPECT_GE(i, 10);
  EXPECT_GT(std::stoi(header(last, "Retry-After")), 0);
  EXPECT_FALSE(header(last, "X-Error-Message").empty());
  // Throttled means refused, even with the right password.
  auto right = call("POST", "/api/login", {}, R"({"username":"alice","password":"alice-password-123"})");
  EXPECT_EQ(right.status, 429);
}

TEST_F(AuthApiTest, CookieWritesNeedTheCsrfTokenOrOurOrigin) {
  auto s = session("bob", "bob-password-123");
  std::string cookie = "hubd_session=" + s.cookie;
  auto like = [&](http::Headers extra) {
    extra.emplace_back("Cookie", cookie);
    return call("POST", "/api/models/alice/pub/like", extra);
  };
  // A cross-site form post carries the cookie and nothing else.
  auto forged = like({});
  EXPECT_EQ(forged.status, 403);
  EXPECT_NE(header(forged, "X-Error-Message").find("CSRF"), std::string::npos);
  EXPECT_EQ(like({{"Origin", "https://evil.example"}}).status, 403);
  EXPECT_EQ(like({{"Origin", "null"}}).status, 403);
  EXPECT_EQ(like({{"X-CSRF-Token", s.csrf + "x"}}).status, 403);
  EXPECT_EQ(like({{"X-CSRF-Token", "x" + s.csrf.substr(1)}}).status, 403);
  EXPECT_EQ(services::repo_counters(*hub_, pub_.row.id).likes, 0);
  // Our own pages: the token, or a same-origin Origin.
  EXPECT_EQ(like({{"X-CSRF-Token", s.csrf}}).status, 200);
  EXPECT_EQ(like({{"Origin", "http://hub.test"}}).status, 200);
  EXPECT_EQ(services::repo_counters(*hub_, pub_.row.id).likes, 1);
  // The rule is not per handler: repo creation, commits and logout are covered alike.
  auto create = call("POST", "/api/repos/create", {{"Cookie", cookie}}, R"({"name":"x"})");
  EXPECT_EQ(create.status, 403);
  auto commit = call("POST", "/api/models/bob/x/commit/main", {{"Cookie", cookie}}, "");
  EXPECT_EQ(commit.status, 403);
  EXPECT_EQ(call("POST", "/api/logout", {{"Cookie", cookie}}).status, 403);
  EXPECT_FALSE(hub_->db().repo_by_name("model", "bob", "x").has_value());
  EXPECT_EQ(call("POST", "/api/repos/create", {{"Cookie", cookie}, {"X-CSRF-Token", s.csrf}}, R"({"name":"x"})").status,
            200);
  // Reads with the cookie need nothing; token calls need nothing even with a foreign Origin.
  EXPECT_EQ(call("GET", "/api/whoami-v2", {{"Cookie", cookie}}).status, 200);
  EXPECT_EQ(call("POST", "/api/models/alice/pub/like", {{"Authorization", "Bearer " + alice_}, {"Origin", "https://elsewhere"}})
                .status,
            200);
  // Basic credentials a browser cached are not honoured for another site's posts either.
  EXPECT_EQ(call("DELETE", "/api/models/alice/pub/like",
                 {{"Authorization", "Basic " + base64_encode("a:" + alice_)}, {"Origin", "https://evil.example"}})
                .status,
            403);
  EXPECT_EQ(call("POST", "/api/logout", {{"Cookie", cookie}, {"X-CSRF-Token", s.csrf}}).status, 200);
}

TEST_F(AuthApiTest, SessionCookiesAreSecureBehindHttps) {
  auto plain = call("POST", "/api/login", {}, R"({"username":"alice","password":"alice-password-123"})");
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(header(plain, "Set-Cookie").find("Secure"), std::string::npos);
  // Same request as a proxy terminating TLS forwards it (base_url https).
  http::Request req;
  req.method = "POST";
  req.target = req.path = "/api/login";
  req.body = R"({"username":"alice","password":"alice-password-123"})";
  req.base_url = "https://hub.example.com";
  const http::Route* route = nullptr;
  ASSERT_EQ(router_.match(req, &route), http::Router::Match::found);
  auto secure = route->handler(req);
  ASSERT_EQ(secure.status, 200);
  EXPECT_NE(header(secure, "Set-Cookie").find("; Secure"), std::string::npos) << header(secure, "Set-Cookie");
  EXPECT_NE(header(secure, "Set-Cookie").find("HttpOnly"), std::string::npos);
}

}  // namespace
}  // namespace hub::api::testing
