// Gated repos (issue 17): the Hub's access-request API as huggingface_hub calls it
// (list_{pending,accepted,rejected}_access_requests, accept/reject/cancel_access_request,
// grant_access) and hubd's own POST .../ask-access (the request form as an API). The rules
// are services/gating.h.
#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "core/time.h"
#include "services/gating.h"
#include "services/repos.h"

namespace hub::api::handlers {

namespace {
json::object request_json(const storage::db::AccessRequestRow& r) {
  json::object user{{"user", r.user_name}, {"fullname", r.user_fullname}, {"avatarUrl", ""}, {"type", "user"}};
  // The email is shared with the authors by the user's own request only, as on the Hub.
  if (!r.granted && !r.user_email.empty()) user["email"] = r.user_email;
  json::object out{{"user", std::move(user)}, {"status", r.status}, {"timestamp", iso8601(r.updated_at)}};
  if (!r.fields.empty()) {
    if (auto f = json::parse(r.fields); f && f->is_object()) out["fields"] = std::move(*f);
  }
  if (r.status == "rejected" && !r.rejection_reason.empty()) out["rejectionReason"] = r.rejection_reason;
  return out;
}
}  // namespace

Response list_access_requests(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto l = services::list_access_requests(ctx.hub, *p, type, req.params["ns"], req.params["name"],
                                          req.params["status"]);
  if (!l) return to_response(l.error(), &*p);
  json::array out;
  for (const auto& r : *l) out.push_back(request_json(r));
  return Response::json(200, out);
}

Response handle_access_request(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto body = body_object(req);
  if (!body) return to_response(body.error());
  auto user = json::get_string(*body, "user");
  auto status = json::get_string(*body, "status");
  if (!user || !status) return bad_request("Missing 'user' or 'status'");
  std::string_view reason = json::get_string(*body, "rejectionReason").value_or("");
  auto r = services::handle_access_request(ctx.hub, *p, type, req.params["ns"], req.params["name"], *user, *status,
                                           reason);
  if (!r) return to_response(r.error(), &*p);
  return Response::json(200, json::object{{"status", *status}});
}

Response grant_access(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto body = body_object(req);
  if (!body) return to_response(body.error());
  auto user = json::get_string(*body, "user");
  if (!user) return bad_request("Missing 'user'");
  auto r = services::grant_access(ctx.hub, *p, type, req.params["ns"], req.params["name"], *user);
  if (!r) return to_response(r.error(), &*p);
  return Response::json(200, json::object{{"user", *user}, {"status", "accepted"}});
}

Response ask_access(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto h = services::open_repo(ctx.hub, *p, type, req.params["ns"], req.params["name"], services::Access::read);
  if (!h) return to_response(h.error(), &*p);
  json::object body;
  if (!req.body.empty()) {
    auto b = body_object(req);
    if (!b) return to_response(b.error());
    body = std::move(*b);
  }
  std::vector<std::pair<std::string, std::string>> answers;
  if (const json::object* f = json::get_object(body, "fields"))
    for (const auto& [k, v] : *f) {
      if (v.is_string()) answers.emplace_back(std::string(k), std::string(v.get_string()));
      else if (v.is_bool() && v.get_bool()) answers.emplace_back(std::string(k), "on");
    }
  auto form = services::gate_form_of(ctx.hub, h->row, h->path);
  auto r = services::request_access(ctx.hub, *p, h->row, form, answers);
  if (!r) return to_response(r.error(), &*p);
  return Response::json(200, request_json(*r));
}

}  // namespace hub::api::handlers
