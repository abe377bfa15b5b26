// Request and Response: the small, Beast-free types that api/ and web/ handlers see.
// A handler is a plain function Request -> Response that never touches a socket (Beast's
// advice); the server in server.cpp owns all networking. Not thread-safe; one request
// belongs to one handler invocation at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "core/text.h"

namespace hub::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Pull-style request body for routes that stream (git packs, LFS uploads). read() blocks
// (it runs on a worker thread) and returns 0 at the end of the body.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual Result<size_t> read(char* buf, size_t cap) = 0;
};

struct Request {
  std::string method;        // upper case, "GET", "HEAD", ...
  std::string target;        // raw request target, path plus query
  std::string path;          // raw (still percent-encoded) path
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order
  Headers headers;
  std::string body;                     // buffered routes
  BodySource* body_source = nullptr;    // streamed routes; owned by the server
  std::unordered_map<std::string, std::string> params;  // decoded {name} segments
  std::vector<std::string> rest;        // decoded segments matched by {name*}
  std::string remote_addr;
  std::string base_url;                 // "http://host:port" as the client addressed us

  std::optional<std::string_view> header(std::string_view name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
  std::vector<std::string_view> query_params(std::string_view name) const;  // repeated keys, also name[]
  bool query_flag(std::string_view name) const;  // "1", "true"
  std::string cookie(std::string_view name) const;
};

// A file region the server sends with sendfile(2). The fd is owned and closed by the server.
struct FileBody {
  int fd = -1;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  std::optional<FileBody> file;
  // Pull producer for streamed bodies: fills buf, returns bytes written, 0 at the end.
  // Called on a worker thread, so it may block.
  std::function<Result<size_t>(char* buf, size_t cap)> stream;
  // Content-Length to announce for HEAD or streamed bodies (otherwise chunked / body size).
  std::optional<uint64_t> content_length;
  // Runs once the response has been sent or the connection failed (release resources).
  std::function<void()> on_done;

  void set_header(std::string_view name, std::string_view value);
  std::optional<std::string_view> header(std::string_view name) const;

  static Response json(int status, const json::value& v);
  static Response text(int status, std::string body, std::string_view content_type = "text/plain; charset=utf-8");
  // The Hub's error shape: X-Error-Message, optional X-Error-Code, JSON {"error": msg}.
  static Response error(int status, std::string_view message, std::string_view error_code = {});
};

// Shared with the rest of the tree (core/text.h).
using hub::iequals;
using hub::percent_decode;
using hub::percent_encode;

}  // namespace hub::http
