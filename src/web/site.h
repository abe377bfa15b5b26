// Site: what every web page handler shares (the Hub, the compiled assets, the per-commit repo
// summary cache), and Page: one request's view of it (who is asking, their CSRF token), with
// the helpers each handler needs: render a template inside the layout, error pages, redirects,
// form parsing and the CSRF check. Site is built once and shared by all worker threads (its
// cache locks); a Page belongs to one request.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "http/message.h"
#include "services/auth.h"
#include "services/hub.h"
#include "web/assets.h"
#include "web/repo_summary.h"

namespace hub::web {

inline constexpr const char* kSessionCookie = "hubd_session";  // as api/handlers/accounts.cpp sets it
inline constexpr const char* kFormCsrfCookie = "hubd_csrf";     // double-submit token for anonymous forms

class Site {
 public:
  static Result<std::unique_ptr<Site>> create(services::Hub& hub);
  services::Hub& hub;
  std::unique_ptr<Assets> assets;
  SummaryCache summaries;

  explicit Site(services::Hub& h) : hub(h) {}
};

struct Page {
  Site& site;
  http::Request& req;
  services::Principal who;
  bool stale_session = false;  // a session cookie that no longer authenticates (cleared on reply)

  bool signed_in() const { return !who.anonymous(); }
  std::string user_name() const { return who.account ? who.account->name : std::string(); }
};

Page make_page(Site& site, http::Request& req);

// Renders `tmpl` (a template name) with `data` plus the common fields (user, csrf, assets,
// title) and wraps it in the layout. Content-Type text/html, no-store for signed-in pages.
http::Response render(const Page& p, std::string_view tmpl, json::object data, int status = 200);
http::Response error_page(const Page& p, int status, std::string_view message);
// Maps a service error to a page: not_found 404 (RepoMoved redirects), unauthenticated -> log-in
// redirect for GET, forbidden 403, invalid_argument/conflict/already_exists 400/409.
http::Response error_page(const Page& p, const Error& e);
http::Response redirect(std::string_view location, int status = 303);

// application/x-www-form-urlencoded bodies (and the query string).
struct Form {
  std::vector<std::pair<std::string, std::string>> fields;
  std::string get(std::string_view name) const;
  bool has(std::string_view name) const;
};
Form parse_urlencoded(std::string_view body);

// multipart/form-data: fields plus uploaded files (whole parts in memory; the route's body
// limit bounds them).
struct UploadedFile {
  std::string field;
  std::string filename;
  std::string data;
};
struct MultipartForm {
  Form form;
  std::vector<UploadedFile> files;
};
Result<MultipartForm> parse_multipart(const http::Request& req);

// Every state-changing form carries a hidden csrf field equal to the session's token (or, when
// anonymous, to the hubd_csrf cookie). Constant-time compare.
bool csrf_ok(const Page& p, const Form& f);
// render() puts the right token in every page's `csrf` field: the session's, or for anonymous
// visitors the hubd_csrf cookie's (set on that response when new).

std::string url_encode_path(std::string_view s);  // percent-encodes a repo path, keeping '/'
std::string human_size(uint64_t bytes);
std::string time_ago(int64_t unix_ms);

}  // namespace hub::web
