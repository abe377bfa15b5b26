// Listing and search: GET /api/models|datasets|spaces (HUB_API.md §3) and the tags-by-type
// lists. Parses the query string, calls services/search, writes the `Link` header of the next
// page (absolute, repeating every original parameter with `cursor` replaced).
#include <algorithm>
#include <cctype>
#include <charconv>

#include "api/errors.h"
#include "api/expand.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "inference/pipelines/pipeline.h"
#include "services/search.h"

namespace hub::api::handlers {

namespace {
std::string next_page_link(const Request& req, std::string_view cursor) {
  std::string url = req.base_url + req.path + "?";
  for (const auto& [k, v] : req.query) {
    if (k == "cursor") continue;
    url += http::percent_encode(k) + "=" + http::percent_encode(v) + "&";
  }
  url += "cursor=" + http::percent_encode(cursor);
  return "<" + url + ">; rel=\"next\"";
}

bool flag(const Request& req, std::string_view name) {
  auto v = req.query_param(name);
  return v && (*v == "true" || *v == "1" || *v == "True");
}
}  // namespace

Response list_repos(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  services::ListingParams lp;
  lp.type = std::string(type);
  lp.search = std::string(req.query_param("search").value_or(""));
  lp.author = std::string(req.query_param("author").value_or(""));
  if (auto g = req.query_param("gated")) {
    if (*g == "true" || *g == "True" || *g == "1") lp.gated = true;
    else if (*g == "false" || *g == "False" || *g == "0") lp.gated = false;
    else return bad_request("gated must be true or false");
  }
  for (auto f : req.query_params("filter")) lp.filters.emplace_back(f);
  lp.pipeline_tag = std::string(req.query_param("pipeline_tag").value_or(""));
  lp.library = std::string(req.query_param("library").value_or(""));
  lp.language = std::string(req.query_param("language").value_or(""));
  lp.sort = std::string(req.query_param("sort").value_or(""));
  lp.direction = std::string(req.query_param("direction").value_or(""));
  lp.cursor = std::string(req.query_param("cursor").value_or(""));
  if (auto l = req.query_param("limit")) {
    int n = 0;
    auto [ptr, ec] = std::from_chars(l->data(), l->data() + l->size(), n);
    if (ec != std::errc() || ptr != l->data() + l->size()) return bad_request("limit must be a number");
    lp.limit = n;
  }
  lp.full = flag(req, "full");
  lp.card_data = flag(req, "cardData");
  lp.config = flag(req, "config");
  auto expand = req.query_params("expand");
  if (auto bad = check_expand(expand, type)) return std::move(*bad);
  for (auto e : expand) lp.expand.emplace_back(e);
  auto page = services::list_repos(ctx.hub, *p, lp);
  if (!page) return to_response(page.error(), &*p);
  auto res = Response::json(200, page->items);
  if (page->next_cursor) res.set_header("Link", next_page_link(req, *page->next_cursor));
  return res;
}

Response tags_by_type(Context& ctx, Request& req, std::string_view type) {
  (void)req;
  auto out = services::tags_by_type(ctx.hub, type);
  if (!out) return to_response(out.error());
  return Response::json(200, *out);
}

// GET /api/tasks (HUB_API.md §10): the tasks this server's Inference API runs, each with its
// default model first. The Python InferenceClient asks it when called without a model; the
// default is the most-downloaded public repo carrying that pipeline_tag (none: empty list).
Response tasks(Context& ctx, Request& req) {
  (void)req;
  std::vector<std::string> names;
  for (auto t : inference::pipelines::supported_tasks()) names.emplace_back(t);
  names.emplace_back("text-generation");
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  json::object out;
  for (const auto& task : names) {
    services::ListingParams lp;
    lp.pipeline_tag = task;
    lp.sort = "downloads";
    lp.limit = 5;
    auto page = services::list_repos(ctx.hub, services::Principal{}, lp);
    if (!page) return to_response(page.error());
    json::array models, widget;
    for (const auto& item : page->items) {
      auto id = json::get_string(item.as_object(), "id").value_or("");
      models.push_back(json::object{{"id", id}, {"description", ""}});
      if (widget.empty()) widget.push_back(boost::json::string(id));
    }
    std::string label;
    bool upper = true;
    for (char c : task) {
      label += c == '-' ? ' ' : upper ? char(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = c == '-';
    }
    out[task] = json::object{{"id", task}, {"label", label}, {"widgetModels", std::move(widget)},
                             {"models", std::move(models)}};
  }
  return Response::json(200, out);
}

}  // namespace hub::api::handlers
