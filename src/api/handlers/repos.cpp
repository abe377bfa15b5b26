// Repo lifecycle: create, delete, move, settings; and repo info.
#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "core/time.h"
#include "services/names.h"
#include "services/repos.h"
#include "storage/git/repo.h"

namespace hub::api::handlers {

namespace {
Result<json::object> body_object(const Request& req) {
  auto v = json::parse(req.body);
  if (!v) return std::unexpected(v.error());
  if (!v->is_object()) return fail(Errc::invalid_argument, "expected a JSON object");
  return v->as_object();
}

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
  auto h = services::create_repo(ctx.hub, *p, r);
  if (!h) return to_response(h.error(), &*p);
  return Response::json(200, json::object{{"url", repo_url(req, h->row.type, h->row.full_id())},
                                          {"id", h->row.uid},
                                          {"name", h->row.full_id()}});
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

Response repo_info(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto h = services::open_repo(ctx.hub, *p, type, req.params["ns"], req.params["name"], services::Access::read);
  if (!h) return to_response(h.error(), &*p);
  auto repo = storage::git::Repo::open(h->path);
  if (!repo) return to_response(repo.error());
  std::string rev = "main";
  if (!req.rest.empty()) {
    rev.clear();
    for (size_t i = 0; i < req.rest.size(); ++i) rev += (i ? "/" : "") + req.rest[i];
  }
  auto sha = repo->resolve_revision(rev);
  if (!sha) return to_response(sha.error(), &*p);
  json::array siblings;
  if (auto tree = repo->list_tree(*sha, "", true)) {
    for (auto& e : *tree)
      if (e.type == storage::git::EntryType::file) siblings.push_back(json::object{{"rfilename", e.path}});
  }
  const auto& row = h->row;
  json::object out{{"_id", row.uid},
                   {"id", row.full_id()},
                   {"author", row.ns},
                   {"sha", *sha},
                   {"lastModified", iso8601(row.updated_at)},
                   {"createdAt", iso8601(row.created_at)},
                   {"private", row.is_private},
                   {"gated", row.gated.empty() ? json::value(false) : json::value(row.gated)},
                   {"disabled", false},
                   {"downloads", 0},
                   {"likes", 0},
                   {"tags", json::array{}},
                   {"siblings", std::move(siblings)}};
  if (type == "model") out["modelId"] = row.full_id();
  return Response::json(200, out);
}

}  // namespace hub::api::handlers
