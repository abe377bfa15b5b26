#include "http/router.h"

namespace hub::http {

std::vector<std::string_view> split_path(std::string_view p) {
  std::vector<std::string_view> out;
  size_t i = 0;
  if (!p.empty() && p[0] == '/') i = 1;
  while (i < p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    out.push_back(p.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

void Router::add(std::string_view method, std::string_view pattern, Handler handler, RouteOptions opt) {
  Route r;
  r.method = method;
  r.pattern = pattern;
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  r.handler = std::move(handler);
  r.options = opt;
  routes_.push_back(std::move(r));
}

namespace {
bool is_param(const std::string& s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; }
bool is_rest(const std::string& s) { return is_param(s) && s[s.size() - 2] == '*'; }

// Tries one route; returns false if the shape does not match. Decoding errors set *bad.
bool try_match(const Route& r, const std::vector<std::string_view>& segs, Request& req, bool* bad) {
  std::unordered_map<std::string, std::string> params;
  std::vector<std::string> rest;
  size_t i = 0;
  for (size_t k = 0; k < r.segments.size(); ++k) {
    const std::string& pat = r.segments[k];
    if (is_rest(pat)) {
      for (; i < segs.size(); ++i) {
        auto d = percent_decode(segs[i]);
        if (!d) { *bad = true; return false; }
        rest.push_back(std::move(*d));
      }
      req.params = std::move(params);
      req.rest = std::move(rest);
      return true;
    }
    if (i >= segs.size()) return false;
    if (is_param(pat)) {
      if (segs[i].empty()) return false;
      auto d = percent_decode(segs[i]);
      if (!d) { *bad = true; return false; }
      params[pat.substr(1, pat.size() - 2)] = std::move(*d);
    } else if (segs[i] != pat) {
      return false;
    }
    ++i;
  }
  if (i != segs.size()) return false;
  req.params = std::move(params);
  req.rest.clear();
  return true;
}
}  // namespace

Router::Match Router::match(Request& req, const Route** out) const {
  auto segs = split_path(req.path);
  bool shape_matched = false;
  for (const Route& r : routes_) {
    bool bad = false;
    Request probe;  // only params/rest are written
    if (!try_match(r, segs, probe, &bad)) {
      if (bad) return Match::bad_encoding;
      continue;
    }
    bool method_ok = r.method == req.method || (r.method == "GET" && req.method == "HEAD") || r.method == "*";
    if (!method_ok) {
      shape_matched = true;
      continue;
    }
    req.params = std::move(probe.params);
    req.rest = std::move(probe.rest);
    *out = &r;
    return Match::found;
  }
  return shape_matched ? Match::bad_method : Match::not_found;
}

}  // namespace hub::http
