// Router: method + path pattern -> handler. Patterns are '/'-separated segments: a literal,
// "{name}" (one segment, stored decoded in Request::params) or a final "{name*}" (zero or
// more remaining segments, decoded, in Request::rest). Matching runs on the raw path and
// decodes per segment, so "%2F" inside a segment never splits it (HUB_API.md §0).
// Routes are tried in the order they were added; the first match wins. A GET route also
// answers HEAD. Built once at start-up, then read concurrently (const) by every session.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace hub::http {

using Handler = std::function<Response(Request&)>;

enum class BodyMode {
  buffered,  // the server reads the whole body (up to body_limit) into Request::body
  streamed,  // the handler pulls it through Request::body_source
};

struct RouteOptions {
  BodyMode body = BodyMode::buffered;
  size_t body_limit = size_t(1) << 20;  // buffered routes; larger bodies get 413
};

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;
  Handler handler;
  RouteOptions options;
};

class Router {
 public:
  void add(std::string_view method, std::string_view pattern, Handler handler, RouteOptions opt = {});

  enum class Match { found, not_found, bad_method, bad_encoding };
  // On found, fills req.params / req.rest and returns the route in *out.
  Match match(Request& req, const Route** out) const;

 private:
  std::vector<Route> routes_;
};

// Splits a raw path into its segments (no decoding); a trailing '/' gives no empty segment.
std::vector<std::string_view> split_path(std::string_view raw_path);

}  // namespace hub::http
