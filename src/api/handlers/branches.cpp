// Branches and tags (HUB_API.md §6): POST/DELETE branch/{branch}, POST tag/{rev} with
// {"tag","message"}, DELETE tag/{tag}, POST super-squash/{branch}. Names arrive as the decoded
// remainder of the path, so "feature%2Fx" and a raw "feature/x" are the same branch.
#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "services/branches.h"
#include "services/commits.h"
#include "services/repos.h"

namespace hub::api::handlers {

namespace {

std::string joined(const Request& req) {
  std::string s;
  for (size_t i = 0; i < req.rest.size(); ++i) s += (i ? "/" : "") + req.rest[i];
  return s;
}

// An empty body is an empty object (JS sends {} or nothing for deletes; Python may omit it).
Result<json::object> optional_body(const Request& req) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object{};
  auto v = json::parse(req.body);
  if (!v) return fail(Errc::invalid_argument, "Malformed JSON body: " + v.error().message);
  if (!v->is_object()) return fail(Errc::invalid_argument, "Expected a JSON object");
  return v->as_object();
}

struct Writer {
  services::Principal principal;
  services::RepoHandle repo;
};

// Authenticates and opens the route's repo for writing, or answers the refusal.
std::variant<Writer, Response> open_for_write(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto h = services::open_repo(ctx.hub, *p, type, req.params["ns"], req.params["name"], services::Access::write);
  if (!h) return to_response(h.error(), &*p);
  return Writer{std::move(*p), std::move(*h)};
}

Response ref_json(std::string_view kind, const std::string& name, const std::string& target) {
  std::string prefix = kind == "tag" ? "refs/tags/" : "refs/heads/";
  return Response::json(200, json::object{{"name", name}, {"ref", prefix + name}, {"targetCommit", target}});
}

}  // namespace

Response create_branch(Context& ctx, Request& req, std::string_view type) {
  auto w = open_for_write(ctx, req, type);
  if (auto* r = std::get_if<Response>(&w)) return std::move(*r);
  auto& [p, repo] = std::get<Writer>(w);
  auto body = optional_body(req);
  if (!body) return to_response(body.error());
  services::NewBranch b;
  b.name = joined(req);
  auto* start = body->if_contains("startingPoint");
  if (start && !start->is_null()) {
    if (!start->is_string()) return bad_request("startingPoint must be a string");
    b.starting_point = std::string(start->as_string());
  }
  b.empty = json::get_bool(*body, "emptyBranch").value_or(false);
  b.overwrite = json::get_bool(*body, "overwrite").value_or(false);
  auto id = services::create_branch(ctx.hub, repo, b, services::signature_of(p));
  if (!id) return to_response(id.error(), &p);
  return ref_json("branch", b.name, *id);
}

Response delete_branch(Context& ctx, Request& req, std::string_view type) {
  auto w = open_for_write(ctx, req, type);
  if (auto* r = std::get_if<Response>(&w)) return std::move(*r);
  auto& [p, repo] = std::get<Writer>(w);
  if (auto r = services::delete_branch(ctx.hub, repo, joined(req)); !r) return to_response(r.error(), &p);
  return Response::json(200, json::object{{"deleted", joined(req)}});
}

Response create_tag(Context& ctx, Request& req, std::string_view type) {
  auto w = open_for_write(ctx, req, type);
  if (auto* r = std::get_if<Response>(&w)) return std::move(*r);
  auto& [p, repo] = std::get<Writer>(w);
  auto body = optional_body(req);
  if (!body) return to_response(body.error());
  auto tag = json::get_string(*body, "tag");
  if (!tag || tag->empty()) return bad_request("Missing \"tag\"");
  std::string message(json::get_string(*body, "message").value_or(""));
  std::string tag_name(*tag);
  auto id = services::create_tag(ctx.hub, repo, joined(req), tag_name, message, services::signature_of(p));
  if (!id) return to_response(id.error(), &p);
  return ref_json("tag", tag_name, *id);
}

Response delete_tag(Context& ctx, Request& req, std::string_view type) {
  auto w = open_for_write(ctx, req, type);
  if (auto* r = std::get_if<Response>(&w)) return std::move(*r);
  auto& [p, repo] = std::get<Writer>(w);
  if (auto r = services::delete_tag(ctx.hub, repo, joined(req)); !r) return to_response(r.error(), &p);
  return Response::json(200, json::object{{"deleted", joined(req)}});
}

Response super_squash(Context& ctx, Request& req, std::string_view type) {
  auto w = open_for_write(ctx, req, type);
  if (auto* r = std::get_if<Response>(&w)) return std::move(*r);
  auto& [p, repo] = std::get<Writer>(w);
  auto body = optional_body(req);
  if (!body) return to_response(body.error());
  std::string message(json::get_string(*body, "message").value_or(""));
  auto id = services::super_squash(ctx.hub, repo, joined(req), message, services::signature_of(p));
  if (!id) return to_response(id.error(), &p);
  return Response::json(200, json::object{{"commitOid", *id}});
}

}  // namespace hub::api::handlers
