// Test fixture for api/: a real Hub (SQLite, local blob store, bare git repos) in a temp dir,
// the real route table, and requests sent through Router::match + the handler, no sockets
// (STYLE.md: "API routes through the in-process router"). Users alice and bob with write tokens.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "api/context.h"
#include "api/routes.h"
#include "core/hash.h"
#include "http/router.h"
#include "services/accounts.h"
#include "services/hub.h"
#include "services/lfs.h"
#include "services/repos.h"
#include "storage/git/commit_builder.h"
#include "storage/git/repo.h"

namespace hub::api::testing {

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/hubd-api-test.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    services::HubConfig cfg;
    cfg.data_dir = dir_;
    auto h = services::Hub::open(cfg);
    ASSERT_TRUE(h) << h.error().message;
    hub_ = std::move(*h);
    ctx_ = std::make_unique<Context>(Context{*hub_});
    add_routes(router_, *ctx_);
    alice_ = make_user("alice");
    bob_ = make_user("bob");
  }
  void TearDown() override {
    hub_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // A user and a write token for it; returns the token.
  std::string make_user(const std::string& name) {
    services::NewUser u;
    u.name = name;
    u.password = name + "-password-123";
    auto a = services::create_user(*hub_, u);
    EXPECT_TRUE(a) << a.error().message;
    auto t = services::create_token(*hub_, a->id, "test", "write");
    EXPECT_TRUE(t) << t.error().message;
    return t->secret;
  }

  services::Principal principal(const std::string& token) {
    services::Credentials c;
    std::string auth = "Bearer " + token;
    c.authorization = auth;
    auto p = services::authenticate(*hub_, c);
    EXPECT_TRUE(p);
    return *p;
  }

  services::RepoHandle make_repo(const std::string& token, const std::string& name, bool is_private = false,
                                 const std::string& type = "model") {
    services::NewRepo r;
    r.name = name;
    r.type = type;
    r.is_private = is_private;
    auto h = services::create_repo(*hub_, principal(token), r);
    EXPECT_TRUE(h) << h.error().message;
    return *h;
  }

  // Commits regular files (path -> content) and LFS files (path -> content, stored in the blob
  // store and linked to the repo as an upload would, committed as pointers) on top of `branch`; returns the new commit id.
  std::string commit(const services::RepoHandle& h, const std::map<std::string, std::string>& files,
                     const std::map<std::string, std::string>& lfs_files = {}, const std::string& branch = "main",
                     const std::string& summary = "update") {
    auto repo = storage::git::Repo::open(h.path);
    EXPECT_TRUE(repo);
    auto parent = repo->resolve_revision(branch);
    EXPECT_TRUE(parent);
    auto b = storage::git::CommitBuilder::start(*repo, *parent);
    EXPECT_TRUE(b);
    for (auto& [p, c] : files) EXPECT_TRUE(b->put_file(p, c));
    for (auto& [p, c] : lfs_files) {
      std::string oid = sha256_hex(c);
      auto put = services::lfs_put_object(*hub_, h.row.id, oid, c);  // uploaded through this repo
      EXPECT_TRUE(put) << put.error().message;
      EXPECT_TRUE(b->put_lfs_pointer(p, oid, c.size()));
    }
    storage::git::CommitOptions opts;
    opts.summary = summary;
    opts.author = {"alice", "alice@example.com", 0};
    auto id = b->commit_to("refs/heads/" + branch, opts);
    EXPECT_TRUE(id) << id.error().message;
    return *id;
  }

  // Sends one request through the route table. `target` is the raw path plus query.
  http::Response call(const std::string& method, const std::string& target,
                      const http::Headers& headers = {}, const std::string& body = "") {
    http::Request req;
    req.method = method;
    req.target = target;
    size_t q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string_view qs = std::string_view(target).substr(q + 1);
      while (!qs.empty()) {
        size_t amp = qs.find('&');
        std::string_view kv = qs.substr(0, amp);
        size_t eq = kv.find('=');
        auto k = http::percent_decode(kv.substr(0, eq), true);
        auto v = http::percent_decode(eq == std::string_view::npos ? "" : kv.substr(eq + 1), true);
        if (k && v) req.query.emplace_back(*k, *v);
        if (amp == std::string_view::npos) break;
        qs.remove_prefix(amp + 1);
      }
    }
    req.headers = headers;
    req.body = body;
    req.base_url = "http://hub.test";
    const http::Route* route = nullptr;
    auto m = router_.match(req, &route);
    if (m != http::Router::Match::found) return http::Response::error(404, "no route");
    return route->handler(req);
  }
  http::Response get(const std::string& target, const std::string& token = "", http::Headers headers = {}) {
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return call("GET", target, headers);
  }

  static std::string header(const http::Response& r, std::string_view name) {
    return std::string(r.header(name).value_or(""));
  }
  static json::value body_json(const http::Response& r) {
    auto v = json::parse(r.body);
    EXPECT_TRUE(v) << r.body;
    return v ? *v : json::value();
  }
  // The bytes a response carries, whether buffered, a file region or a stream.
  static std::string body_bytes(http::Response& r) {
    std::string out;
    if (r.file) {
      out.resize(r.file->length);
      ssize_t n = ::pread(r.file->fd, out.data(), out.size(), off_t(r.file->offset));
      out.resize(n < 0 ? 0 : size_t(n));
      ::close(r.file->fd);
      r.file.reset();
    } else if (r.stream) {
      char buf[65536];
      for (;;) {
        auto n = r.stream(buf, sizeof buf);
        if (!n || *n == 0) break;
        out.append(buf, *n);
      }
    } else {
      out = r.body;
    }
    if (r.on_done) r.on_done();
    return out;
  }

  std::string dir_;
  std::unique_ptr<services::Hub> hub_;
  std::unique_ptr<Context> ctx_;
  http::Router router_;
  std::string alice_, bob_;
};

}  // namespace hub::api::testing
