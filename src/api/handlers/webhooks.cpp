// Webhooks settings API (issue 17), as huggingface_hub's create_webhook / list_webhooks /
// get_webhook / update_webhook / enable_webhook / disable_webhook / delete_webhook call it:
// GET|POST /api/settings/webhooks, GET|POST|DELETE /api/settings/webhooks/{id},
// POST /api/settings/webhooks/{id}/enable|disable. Single objects come as {"webhook": {...}},
// the list as a bare array; get adds the recent deliveries. Rules live in services/webhooks.h.
#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "services/webhooks.h"

namespace hub::api::handlers {

namespace {
Result<services::Principal> account_of(Context& ctx, const Request& req) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return p;
  if (p->anonymous()) return fail(Errc::unauthenticated, "Authentication required");
  return p;
}

Response one(Context& ctx, const Result<storage::db::WebhookRow>& w, const services::Principal& p, int status = 200,
             bool with_log = false) {
  if (!w) return to_response(w.error(), &p);
  return Response::json(status, json::object{{"webhook", services::webhook_json(ctx.hub, *w, with_log)}});
}
}  // namespace

Response list_webhooks(Context& ctx, Request& req) {
  auto p = account_of(ctx, req);
  if (!p) return to_response(p.error());
  auto ws = services::list_webhooks(ctx.hub, *p);
  if (!ws) return to_response(ws.error(), &*p);
  json::array out;
  for (const auto& w : *ws) out.push_back(services::webhook_json(ctx.hub, w, false));
  return Response::json(200, out);
}

Response get_webhook(Context& ctx, Request& req) {
  auto p = account_of(ctx, req);
  if (!p) return to_response(p.error());
  return one(ctx, services::get_webhook(ctx.hub, *p, req.params["id"]), *p, 200, true);
}

Response create_webhook(Context& ctx, Request& req) {
  auto p = account_of(ctx, req);
  if (!p) return to_response(p.error());
  auto body = body_object(req);
  if (!body) return to_response(body.error());
  return one(ctx, services::create_webhook(ctx.hub, *p, *body), *p);
}

Response update_webhook(Context& ctx, Request& req) {
  auto p = account_of(ctx, req);
  if (!p) return to_response(p.error());
  auto body = body_object(req);
  if (!body) return to_response(body.error());
  return one(ctx, services::update_webhook(ctx.hub, *p, req.params["id"], *body), *p);
}

Response enable_webhook(Context& ctx, Request& req) {
  auto p = account_of(ctx, req);
  if (!p) return to_response(p.error());
  return one(ctx, services::set_webhook_disabled(ctx.hub, *p, req.params["id"], false), *p);
}

Response disable_webhook(Context& ctx, Request& req) {
  auto p = account_of(ctx, req);
  if (!p) return to_response(p.error());
  return one(ctx, services::set_webhook_disabled(ctx.hub, *p, req.params["id"], true), *p);
}

Response delete_webhook(Context& ctx, Request& req) {
  auto p = account_of(ctx, req);
  if (!p) return to_response(p.error());
  if (auto r = services::delete_webhook(ctx.hub, *p, req.params["id"]); !r) return to_response(r.error(), &*p);
  return Response::json(200, json::object{{"deleted", true}});
}

}  // namespace hub::api::handlers
