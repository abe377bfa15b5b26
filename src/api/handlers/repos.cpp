// Repo lifecycle: create, delete, move, settings; and repo info.
#include <algorithm>

#include "api/errors.h"
#include "api/expand.h"
#include "api/handlers/handlers.h"
#include "api/handlers/repo_access.h"
#include "api/revision.h"
#include "api/request_auth.h"
#include "core/hash.h"
#include "core/time.h"
#include "services/counters.h"
#include "services/names.h"
#include "services/repo_view.h"
#include "services/repos.h"
#include "storage/git/repo.h"

namespace hub::api::handlers {

namespace {
std::string repo_url(const Request& req, std::string_view type, std::string_view full_id) {
  return req.base_url + "/" + std::string(services::repo_url_prefix(type)) + std::string(full_id);
}

// "visibility": "private"|"public"|"protected", or the older "private": bool.
std::optional<bool> privacy_of(const json::object& o) {
  if (auto v = json::get_string(o, "visibility")) return *v != "public";
  if (auto b = json::get_bool(o, "private")) return *b;
  return std::nullopt;
}
}  // namespace

Response create_repo(Context& ctx, Request& req) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto body = body_object(req);
  if (!body) return to_response(body.error());
  services::NewRepo r;
  auto name = json::get_string(*body, "name");
  if (!name) return bad_request("Missing 'name'");
  r.name = *name;
  // Some clients send "ns/name" in name.
  if (auto slash = r.name.find('/'); slash != std::string::npos) {
    auto split = services::split_repo_id(r.name);
    if (!split) return to_response(split.error());
    r.ns = split->first;
    r.name = split->second;
  }
  if (auto org = json::get_string(*body, "organization"); org && !org->empty()) r.ns = *org;
  r.type = std::string(json::get_string(*body, "type").value_or("model"));
  r.is_private = privacy_of(*body).value_or(false);
  // JS createRepo({files}): [{path, content, encoding: "base64"|"utf-8"}], top-level files only.
  if (auto* files = json::find(*body, "files"); files && !files->is_null()) {
    if (!files->is_array() || files->as_array().size() > 100) return bad_request("files must be an array (at most 100)");
    for (const auto& f : files->as_array()) {
      const auto* o = f.if_object();
      auto path = o ? json::get_string(*o, "path") : std::nullopt;
      auto content = o ? json::get_string(*o, "content") : std::nullopt;
      if (!path || !content) return bad_request("Each entry of files needs a path and a content");
      if (path->empty() || path->find('/') != std::string_view::npos || *path == "." || *path == ".." ||
          *path == ".git")
        return to_response(Error{Errc::invalid_argument, "Only top-level files may be given at repo creation: " +
                                                            std::string(*path), Detail::InvalidPath});
      std::string data(*content);
      if (json::get_string(*o, "encoding").value_or("utf-8") == "base64") {
        auto decoded = base64_decode(*content);
        if (!decoded) return bad_request("Malformed base64 content for " + std::string(*path));
        data = std::move(*decoded);
      }
      r.files.emplace_back(std::string(*path), std::move(data));
    }
  }
  auto h = services::create_repo(ctx.hub, *p, r);
  if (!h && h.error().code == Errc::already_exists && p->account) {
    // The Hub's 409 names the existing repo's url: create_repo(exist_ok=True) reads it.
    auto resp = to_response(h.error(), &*p);
    std::string ns = r.ns.empty() ? p->account->name : r.ns;
    resp.body = json::serialize(json::object{{"error", h.error().message},
                                             {"url", repo_url(req, r.type, ns + "/" + r.name)}});
    return resp;
  }
  if (!h) return to_response(h.error(), &*p);
  return Response::json(200, json::object{{"url", repo_url(req, h->row.type, h->row.full_id())},
                                          {"id", h->row.uid},
                                          {"name", h->row.full_id()}});
}

Response legacy_repo_id(Context& ctx, Request& req, std::string_view) {
  static constexpr std::string_view kRepoEndpoints[] = {
      "revision", "tree",  "paths-info", "commits", "refs",   "auth-check", "resolve",     "raw",
      "like",     "likers", "preupload", "commit",  "branch", "tag",        "super-squash", "settings",
      "discussions", "treesize", "metrics", "xet-read-token", "xet-write-token", "scan"};
  // /api/{type}s/{name}/{rest*}: rest[0] must be a repo endpoint; /{name}/resolve/... always is.
  bool api = req.path.starts_with("/api/");
  if (api && !req.rest.empty() &&
      std::find(std::begin(kRepoEndpoints), std::end(kRepoEndpoints), req.rest[0]) == std::end(kRepoEndpoints))
    return Response::error(404, "Not found");
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  return to_response(Error{Errc::not_found, "Repository not found", Detail::RepoNotFound}, &*p);
}

Response delete_repo(Context& ctx, Request& req) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto body = body_object(req);
  if (!body) return to_response(body.error());
  std::string name(json::get_string(*body, "name").value_or(""));
  std::string ns(json::get_string(*body, "organization").value_or(""));
  if (auto slash = name.find('/'); slash != std::string::npos) {
    ns = name.substr(0, slash);
    name = name.substr(slash + 1);
  }
  if (ns.empty() && p->account) ns = p->account->name;
  auto type = services::parse_repo_type(json::get_string(*body, "type").value_or("model"));
  if (!type) return to_response(type.error());
  if (auto r = services::delete_repo(ctx.hub, *p, *type, ns, name); !r) return to_response(r.error(), &*p);
  return Response::json(200, json::object{{"deleted", ns + "/" + name}});
}

Response move_repo(Context& ctx, Request& req) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto body = body_object(req);
  if (!body) return to_response(body.error());
  auto from = json::get_string(*body, "fromRepo");
  auto to = json::get_string(*body, "toRepo");
  if (!from || !to) return bad_request("Expected 'fromRepo' and 'toRepo'");
  auto type = services::parse_repo_type(json::get_string(*body, "type").value_or("model"));
  if (!type) return to_response(type.error());
  auto h = services::move_repo(ctx.hub, *p, *type, *from, *to);
  if (!h) return to_response(h.error(), &*p);
  return Response::json(200, json::object{{"url", repo_url(req, h->row.type, h->row.full_id())},
                                          {"name", h->row.full_id()}});
}

Response repo_settings(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto body = body_object(req);
  if (!body) return to_response(body.error());
  std::optional<std::string> gated;
  if (auto* g = json::find(*body, "gated")) {
    if (g->is_bool() && !g->get_bool()) gated = "";
    else if (g->is_string()) gated = std::string(g->get_string());
    else return bad_request("gated must be false, \"auto\" or \"manual\"");
  }
  auto r = services::update_repo_settings(ctx.hub, *p, type, req.params["ns"], req.params["name"], privacy_of(*body),
                                          gated);
  if (!r) return to_response(r.error(), &*p);
  return Response::json(200, json::object{{"ok", true}});
}

namespace {
// Download and like counters (issue 5, services/counters.h).
struct RepoCounters {
  int64_t downloads = 0, downloads_all_time = 0, likes = 0;
};
RepoCounters counters_of(Context& ctx, const storage::db::RepoRow& row) {
  auto s = services::repo_counters(ctx.hub, row.id);  // issue 5: services/counters.h
  return {s.downloads, s.downloads_all, s.likes};
}
}  // namespace

// GET /api/{type}s/{ns}/{name}[/revision/{rev}] (HUB_API.md §2). With expand=..., only the
// requested fields (plus id and _id) are returned, as the Hub does; xetEnabled is never sent.
Response repo_info(Context& ctx, Request& req, std::string_view type) {
  auto opened = open_repo_for(ctx, req, type);
  if (auto* r = std::get_if<Response>(&opened)) return std::move(*r);
  auto& o = std::get<OpenedRepo>(opened);
  if (auto bad = check_expand(req.query_params("expand"), type)) return std::move(*bad);
  bool explicit_rev = !req.rest.empty();
  auto rev = explicit_rev ? join_revision(req.rest) : Result<std::string>("HEAD");
  if (!rev) return o.error(rev.error());
  auto sha = o.resolve(*rev);
  // A repo whose default branch has no commit yet still has an info page, without sha.
  if (!sha && (explicit_rev || sha.error().code != Errc::not_found)) return o.error(sha.error());

  std::shared_ptr<const services::RepoView> view;
  if (sha) {
    auto v = services::cached_repo_view(o.handle.row, o.handle.path, *sha);
    if (!v) return o.error(v.error());
    view = std::move(*v);
  }
  const auto& row = o.handle.row;
  auto counters = counters_of(ctx, row);
  json::object all{{"author", row.ns},
                   {"lastModified", view ? json::value(view->commit_date) : json::value(iso8601(row.updated_at))},
                   {"createdAt", iso8601(row.created_at)},
                   {"private", row.is_private},
                   {"gated", row.gated.empty() ? json::value(false) : json::value(row.gated)},
                   {"disabled", false},
                   {"downloads", counters.downloads},
                   {"likes", counters.likes},
                   {"tags", json::array{}},
                   {"siblings", view ? view->siblings_json(req.query_flag("blobs")) : json::array{}},
                   {"usedStorage", view ? view->used_storage : 0}};
  if (sha) all["sha"] = *sha;
  if (view)
    for (const auto& [k, v] : view->api_metadata) all[k] = v;
  if (type == "space")
    if (auto* card = view ? json::get_object(view->api_metadata, "cardData") : nullptr)
      if (auto sdk = json::get_string(*card, "sdk")) all["sdk"] = *sdk;

  json::object out{{"_id", row.uid}, {"id", row.full_id()}};
  auto expand = req.query_params("expand");
  if (expand.empty()) {
    if (type == "model") out["modelId"] = row.full_id();
    for (auto& [k, v] : all) out[k] = v;
  } else {
    // Fields only sent when asked for.
    all["downloadsAllTime"] = counters.downloads_all_time;
    all["trendingScore"] = 0;
    for (auto field : expand) {
      if (field == "xetEnabled") continue;  // HUB_API.md §9: never advertise Xet
      if (auto* v = json::find(all, field)) out[field] = *v;
    }
  }
  return Response::json(200, out);
}

}  // namespace hub::api::handlers
