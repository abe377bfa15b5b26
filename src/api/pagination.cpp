#include "api/pagination.h"

#include <charconv>

#include "core/hash.h"

namespace hub::api {

// "v1:<commit>:<offset>", base64url: opaque to clients, trivial to validate.
std::string encode_cursor(const Cursor& c) {
  return base64url_encode("v1:" + c.commit + ":" + std::to_string(c.offset));
}

Result<Cursor> decode_cursor(std::string_view s) {
  auto bad = [] { return fail(Errc::invalid_argument, "Invalid cursor"); };
  if (s.size() > 200) return bad();
  auto raw = base64url_decode(s);
  if (!raw || !raw->starts_with("v1:")) return bad();
  std::string_view rest = std::string_view(*raw).substr(3);
  size_t colon = rest.find(':');
  if (colon == std::string_view::npos) return bad();
  Cursor c;
  c.commit = std::string(rest.substr(0, colon));
  if (!c.commit.empty() && !is_hex(c.commit, 40)) return bad();
  std::string_view off = rest.substr(colon + 1);
  auto [p, ec] = std::from_chars(off.data(), off.data() + off.size(), c.offset);
  if (ec != std::errc() || p != off.data() + off.size() || off.empty()) return bad();
  return c;
}

Result<std::optional<Cursor>> cursor_of(const http::Request& req) {
  auto v = req.query_param("cursor");
  if (!v) return std::optional<Cursor>();
  auto c = decode_cursor(*v);
  if (!c) return std::unexpected(c.error());
  return std::optional<Cursor>(std::move(*c));
}

std::string next_link(const http::Request& req, const Cursor& next) {
  std::string url = req.base_url + req.path + "?";
  for (const auto& [k, v] : req.query) {
    if (k == "cursor") continue;
    url += http::percent_encode(k) + "=" + http::percent_encode(v) + "&";
  }
  url += "cursor=" + encode_cursor(next);
  return "<" + url + ">; rel=\"next\"";
}

Result<size_t> page_limit(const http::Request& req, size_t def, size_t max) {
  auto v = req.query_param("limit");
  if (!v) return def;
  size_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size()) return fail(Errc::invalid_argument, "limit must be a number");
  if (n < 1) n = 1;
  return n > max ? max : n;
}

}  // namespace hub::api
