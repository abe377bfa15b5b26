// Helpers for the write-side API tests (commit, branches, preupload): NDJSON line builders
// and a POST helper on top of the shared in-process fixture (api_test_env.h).
#pragma once

#include <string>
#include <vector>

#include "api/api_test_env.h"
#include "core/hash.h"
#include "storage/lfs/blob_store.h"

namespace hub::api::testing {

class WriteApiTest : public ApiTest {
 protected:
  static std::string esc(const std::string& s) { return json::serialize(json::value(s)); }
  static std::string header_line(const std::string& summary, const std::string& description = "",
                                 const std::string& parent = "") {
    json::object v{{"summary", summary}, {"description", description}};
    if (!parent.empty()) v["parentCommit"] = parent;
    return json::serialize(json::object{{"key", "header"}, {"value", v}});
  }
  static std::string file_line(const std::string& path, const std::string& content) {
    return R"({"key":"file","value":{"path":)" + esc(path) + R"(,"content":")" + base64_encode(content) +
           R"(","encoding":"base64"}})";
  }
  static std::string utf8_line(const std::string& path, const std::string& content) {
    return R"({"key":"file","value":{"path":)" + esc(path) + R"(,"content":)" + esc(content) +
           R"(,"encoding":"utf-8"}})";
  }
  // size < 0: left out, as Python sends copies.
  static std::string lfs_line(const std::string& path, const std::string& oid, int64_t size) {
    json::object v{{"path", path}, {"algo", "sha256"}, {"oid", oid}};
    if (size >= 0) v["size"] = size;
    return json::serialize(json::object{{"key", "lfsFile"}, {"value", v}});
  }
  // Stores content as an LFS upload through repo h would (stored, linked to h).
  std::string put_lfs(const std::string& content, const services::RepoHandle& h) {
    std::string oid = sha256_hex(content);
    auto r = services::lfs_put_object(*hub_, h.row.id, oid, content);
    EXPECT_TRUE(r) << r.error().message;
    return oid;
  }
  http::Response post_commit(const std::string& target, const std::string& token, const std::vector<std::string>& lines) {
    std::string body;
    for (auto& l : lines) body += l + "\n";
    http::Headers h{{"Content-Type", "application/x-ndjson"}};
    if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
    return call("POST", target, h, body);
  }
  http::Response post_json(const std::string& target, const std::string& token, const std::string& body,
                           const std::string& method = "POST") {
    http::Headers h{{"Content-Type", "application/json"}};
    if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
    return call(method, target, h, body);
  }
};

}  // namespace hub::api::testing
