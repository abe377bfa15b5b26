#include "api/request_auth.h"

#include <cctype>

#include "api/errors.h"

namespace hub::api {

namespace {

bool unsafe_method(std::string_view m) { return m != "GET" && m != "HEAD" && m != "OPTIONS"; }

// "scheme://host[:port]" of a URL, lower-cased (the path of a public URL is not part of it).
std::string origin_of(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  size_t path = url.find('/', scheme_end + 3);
  std::string out(url.substr(0, path));
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The browser says the request comes from one of our own pages.
bool same_origin(const http::Request& req) {
  auto origin = req.header("Origin");
  if (!origin || origin->empty() || *origin == "null") return false;
  std::string ours = origin_of(req.base_url);
  return !ours.empty() && origin_of(*origin) == ours;
}

bool basic_auth(const http::Request& req) {
  auto a = req.header("Authorization");
  return a && a->size() >= 6 && iequals(a->substr(0, 6), "Basic ");
}

}  // namespace

Result<services::Principal> principal_of(services::Hub& hub, const http::Request& req) {
  services::Credentials c;
  c.authorization = req.header("Authorization");
  c.session_cookie = req.cookie(kSessionCookie);
  auto p = services::authenticate(hub, c);
  if (!p || !unsafe_method(req.method)) return p;
  if (p->kind == services::AuthKind::session) {
    if (same_origin(req) || services::csrf_token_matches(*p, req.header(kCsrfHeader).value_or("")))
      return p;
    return fail(Errc::forbidden,
                "Missing or invalid CSRF token: send the session's token in X-CSRF-Token, or use an access token");
  }
  // A browser also replays cached Basic credentials on another site's form posts; programs
  // that use Basic (git, git-lfs) send no Origin.
  if (basic_auth(req) && req.header("Origin") && !same_origin(req))
    return fail(Errc::forbidden, "Cross-site requests cannot use Basic credentials");
  return p;
}

std::optional<http::Response> refuse_read_only(services::Hub& hub, const http::Request& req) {
  auto p = principal_of(hub, req);
  if (!p) return std::nullopt;  // the handler answers bad credentials in its own protocol
  if (p->anonymous()) return std::nullopt;
  if (auto r = services::require_write_scope(*p); !r) return to_response(r.error(), &*p);
  return std::nullopt;
}

std::string_view cookie_secure_attr(const http::Request& req) {
  return req.base_url.starts_with("https://") ? "; Secure" : "";
}

}  // namespace hub::api
