// Likes (HUB_API.md §10): POST/DELETE /api/{type}s/{ns}/{name}/like, GET …/likers and
// GET /api/users/{user}/likes, both paginated with a `Link` header.
#include <algorithm>
#include <charconv>

#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "core/time.h"
#include "services/counters.h"

namespace hub::api::handlers {

namespace {
constexpr int kDefaultPage = 100, kMaxPage = 1000;

std::string next_page_link(const Request& req, std::string_view cursor) {
  std::string url = req.base_url + req.path + "?";
  for (const auto& [k, v] : req.query) {
    if (k == "cursor") continue;
    url += http::percent_encode(k) + "=" + http::percent_encode(v) + "&";
  }
  url += "cursor=" + http::percent_encode(cursor);
  return "<" + url + ">; rel=\"next\"";
}

Result<int> limit_of(const Request& req) {
  auto l = req.query_param("limit");
  if (!l) return kDefaultPage;
  int n = 0;
  auto [ptr, ec] = std::from_chars(l->data(), l->data() + l->size(), n);
  if (ec != std::errc() || ptr != l->data() + l->size()) return fail(Errc::invalid_argument, "limit must be a number");
  return std::clamp(n, 1, kMaxPage);
}
}  // namespace

Response like_repo(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  bool like = req.method == "POST";
  auto n = services::set_repo_like(ctx.hub, *p, type, req.params["ns"], req.params["name"], like);
  if (!n) return to_response(n.error(), &*p);
  return Response::json(200, json::object{{"liked", like}, {"likes", *n}});
}

Response repo_likers(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto limit = limit_of(req);
  if (!limit) return to_response(limit.error());
  auto page = services::repo_likers(ctx.hub, *p, type, req.params["ns"], req.params["name"],
                                    req.query_param("cursor").value_or(""), *limit);
  if (!page) return to_response(page.error(), &*p);
  json::array out;
  for (const auto& l : page->items)
    out.push_back(json::object{{"user", l.account.name},
                               {"fullname", l.account.fullname},
                               {"type", l.account.kind == storage::db::AccountKind::org ? "org" : "user"},
                               {"avatarUrl", ""}});
  auto res = Response::json(200, out);
  if (page->next_cursor) res.set_header("Link", next_page_link(req, *page->next_cursor));
  return res;
}

Response user_likes(Context& ctx, Request& req) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto limit = limit_of(req);
  if (!limit) return to_response(limit.error());
  auto page = services::liked_repos(ctx.hub, *p, req.params["user"], req.query_param("cursor").value_or(""), *limit);
  if (!page) {
    if (page.error().code == Errc::not_found) return Response::error(404, "User not found");
    return to_response(page.error(), &*p);
  }
  json::array out;
  for (const auto& l : page->items)
    out.push_back(json::object{{"createdAt", iso8601(l.at)},
                               {"repo", json::object{{"name", l.repo.full_id()}, {"type", l.repo.type}}}});
  auto res = Response::json(200, out);
  if (page->next_cursor) res.set_header("Link", next_page_link(req, *page->next_cursor));
  return res;
}

}  // namespace hub::api::handlers
