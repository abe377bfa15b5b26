// Fuzz target: the HTTP request edge as hubd uses Beast. Raw bytes go through Beast's request
// parser configured as the server configures it, then through our own code: session.cpp's
// fill_request (target split, query-string percent decoding) and base_url_of, the router's
// matching and per-segment decoding over the real route shapes, the Request accessors
// (headers, query, cookies), Response::error and the response header gate with
// request-controlled names and values, and, for the body,
// Beast's chunked/length framing and our GunzipSource (Content-Encoding: gzip).
//
// session.cpp keeps fill_request in an anonymous namespace (it is no API), so this file
// compiles it in: the function fuzzed is the one the server runs, not a copy.
#include "http/session.cpp"  // NOLINT(bugprone-suspicious-include)

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "http/gunzip.h"
#include "http/headers.h"

namespace {

using namespace hub;
using namespace hub::http;

const Router& routes() {
  static const Router r = [] {
    Router r;
    Handler h = [](Request&) { return Response{}; };
    for (const char* p : {"/api/health", "/api/lfs-objects/{oid}", "/api/whoami-v2", "/api/settings/tokens/{id}",
                          "/models/{ns}/{name}", "/models/{ns}/{name}/pipeline/{task}", "/pipeline/{task}/{ns}/{name}",
                          "/models/{ns}/{name}/v1/chat/completions", "/v1/chat/completions", "/status/{ns}/{name}",
                          "/api/models/{ns}/{name}/revision/{rev*}", "/api/datasets/{ns}/{name}/tree/{rest*}",
                          "/api/models/{ns}/{name}/commit/{rev*}", "/api/models/{ns}/{name}/paths-info/{rev*}",
                          "/{ns}/{name}/resolve/{rest*}", "/datasets/{ns}/{name}/resolve/{rest*}",
                          "/{ns}/{name}.git/info/lfs/objects/batch", "/{ns}/{name}/info/refs",
                          "/{ns}/{name}/git-upload-pack", "/static/{hash}/{file}", "/", "/models", "/login",
                          "/{ns}/{name}/blob/{rest*}", "/{ns}/{name}/commit/{sha}", "/{user}", "/{ns}/{name}"})
      for (const char* m : {"GET", "POST", "PUT", "DELETE"}) r.add(m, p, h);
    r.add("*", "/api/spaces/{rest*}", h);
    return r;
  }();
  return r;
}

// The body as a BodySource in small pieces, the way a socket hands it over.
class Pieces final : public BodySource {
 public:
  Pieces(std::string_view s, size_t piece) : s_(s), piece_(piece) {}
  Result<size_t> read(char* buf, size_t cap) override {
    size_t n = std::min({cap, piece_, s_.size() - off_});
    std::memcpy(buf, s_.data() + off_, n);
    off_ += n;
    return n;
  }

 private:
  std::string_view s_;
  size_t piece_;
  size_t off_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ServerConfig cfg = [] {
    ServerConfig c;
    c.max_header_bytes = 16 * 1024;
    return c;
  }();
  std::string_view in(reinterpret_cast<const char*>(data), size);

  bhttp::request_parser<bhttp::empty_body> hp;
  hp.header_limit(uint32_t(cfg.max_header_bytes));
  hp.body_limit(boost::none);
  boost::system::error_code ec;
  size_t used = hp.put(net::buffer(in.data(), in.size()), ec);
  if (ec || !hp.is_header_done()) return 0;

  Request req;
  req.remote_addr = "127.0.0.1";
  bool query_ok = fill_request(hp.get().base(), req);
  req.base_url = base_url_of(req, cfg);
  const Route* route = nullptr;
  auto m = query_ok ? routes().match(req, &route) : Router::Match::bad_encoding;
  if (m == Router::Match::found && !route) __builtin_trap();

  for (const auto& [k, v] : req.query) {
    (void)req.query_param(k);
    (void)req.query_params(k);
    (void)req.query_flag(k);
  }
  (void)req.cookie("hubd_session");
  (void)req.header("Content-Type");
  // The response header gate (headers.h) over request-controlled names and values: whatever
  // passes must be a valid name and a value with no control character but HTAB, in bounds.
  Response err = Response::error(400, req.path + " " + std::string(req.query_param("q").value_or("")), "BadRequest");
  for (const auto& [k, v] : req.headers) err.headers.emplace_back(k, v);
  for (const auto& [k, v] : req.query) err.headers.emplace_back(k, v);
  seal_response_headers(err.headers);
  size_t block = 0;
  for (const auto& [k, v] : err.headers) {
    if (!is_header_name(k) || v.size() > kMaxHeaderValue) __builtin_trap();
    for (char c : v)
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) __builtin_trap();
    block += k.size() + v.size();
  }
  if (err.headers.size() > kMaxHeaderCount + 2 || block > kMaxHeaderBlock + 1024) __builtin_trap();

  // The body: Beast's framing (Content-Length or chunked) under a small limit, then gunzip.
  std::string_view rest = in.substr(used);
  bhttp::request_parser<bhttp::string_body> sp(std::move(hp));
  sp.body_limit(64 * 1024);
  while (!rest.empty() && !sp.is_done()) {
    size_t n = sp.put(net::buffer(rest.data(), rest.size()), ec);
    if (ec == bhttp::error::need_more) break;
    if (ec || n == 0) break;
    rest.remove_prefix(n);
  }
  std::string body = sp.get().body();
  if (body.empty()) body.assign(rest);
  Pieces raw(body, size_t(size % 61) + 1);
  GunzipSource gz(raw, 1 << 20);
  char buf[4096];
  for (int i = 0; i < 1024; ++i) {
    auto n = gz.read(buf, sizeof buf);
    if (!n || *n == 0) break;
  }
  return 0;
}
