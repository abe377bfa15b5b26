// whoami, sign-up, log-in/out, tokens.
#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "core/time.h"
#include "services/accounts.h"

namespace hub::api::handlers {

namespace {
std::string avatar_url(std::string_view name) { return "/avatars/" + std::string(name) + ".svg"; }

// The principal of a request that must be logged in.
Result<services::Principal> require_account(Context& ctx, const Request& req) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return p;
  if (p->anonymous()) return fail(Errc::unauthenticated, "Authentication required");
  return p;
}

json::object token_json(const storage::db::Token& t) {
  return {{"id", t.id},
          {"displayName", t.name},
          {"role", t.role},
          {"prefix", t.prefix},
          {"createdAt", iso8601(t.created_at)},
          {"lastUsedAt", t.last_used_at ? json::value(iso8601(t.last_used_at)) : json::value(nullptr)}};
}
}  // namespace

Response whoami(Context& ctx, Request& req) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return Response::error(401, "Invalid user token");
  if (p->anonymous()) return Response::error(401, "Invalid user token");
  const auto& a = *p->account;
  json::array orgs;
  if (auto os = ctx.hub.db().orgs_of(a.id)) {
    for (auto& o : *os) {
      std::string role = ctx.hub.db().member_role(o.id, a.id).value_or("read");
      orgs.push_back(json::object{{"type", "org"},
                                  {"id", std::to_string(o.id)},
                                  {"name", o.name},
                                  {"fullname", o.fullname},
                                  {"avatarUrl", avatar_url(o.name)},
                                  {"roleInOrg", role}});
    }
  }
  json::object auth;
  if (p->kind == services::AuthKind::token) {
    auth = {{"type", "access_token"},
            {"accessToken",
             json::object{{"displayName", p->token->name},
                          {"role", p->token->role},
                          {"createdAt", iso8601(p->token->created_at)}}}};
  } else {
    auth = {{"type", "session"}};
  }
  json::object out{{"type", "user"},
                   {"id", std::to_string(a.id)},
                   {"name", a.name},
                   {"fullname", a.fullname},
                   {"email", a.email},
                   {"emailVerified", !a.email.empty()},
                   {"isPro", false},
                   {"canPay", false},
                   {"avatarUrl", avatar_url(a.name)},
                   {"periodEnd", nullptr},
                   {"isAdmin", a.is_admin},
                   {"orgs", std::move(orgs)},
                   {"auth", std::move(auth)}};
  return Response::json(200, out);
}

Response signup(Context& ctx, Request& req) {
  if (!ctx.hub.config().allow_signup) return Response::error(403, "Sign-up is disabled on this hub");
  auto body = body_object(req);
  if (!body) return to_response(body.error());
  services::NewUser u;
  u.name = std::string(json::get_string(*body, "username").value_or(json::get_string(*body, "name").value_or("")));
  u.password = std::string(json::get_string(*body, "password").value_or(""));
  u.fullname = std::string(json::get_string(*body, "fullname").value_or(""));
  u.email = std::string(json::get_string(*body, "email").value_or(""));
  auto a = services::create_user(ctx.hub, u);
  if (!a) return to_response(a.error());
  return Response::json(201, json::object{{"name", a->name}, {"id", std::to_string(a->id)}});
}

Response login(Context& ctx, Request& req) {
  auto body = body_object(req);
  if (!body) return to_response(body.error());
  auto user = json::get_string(*body, "username").value_or("");
  auto pass = json::get_string(*body, "password").value_or("");
  auto s = services::login(ctx.hub, user, pass, req.remote_addr);
  if (!s) {
    if (s.error().retry_after_s > 0) {
      auto r = Response::error(429, s.error().error.message);
      r.set_header("Retry-After", std::to_string(s.error().retry_after_s));
      return r;
    }
    return to_response(s.error().error);
  }
  // The csrf token goes with every cookie-authenticated write (X-CSRF-Token).
  auto res = Response::json(200, json::object{{"name", std::string(user)}, {"csrf", s->csrf}});
  res.set_header("Set-Cookie", std::string(kSessionCookie) + "=" + s->cookie +
                                   "; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000" +
                                   std::string(cookie_secure_attr(req)));
  return res;
}

Response logout(Context& ctx, Request& req) {
  // Another site must not log our visitors out: the cookie counts only with CSRF proof.
  if (auto p = principal_of(ctx.hub, req); !p && p.error().code == Errc::forbidden) return to_response(p.error());
  std::string cookie = req.cookie(kSessionCookie);
  if (!cookie.empty()) (void)services::logout(ctx.hub, cookie);
  auto res = Response::json(200, json::object{{"ok", true}});
  res.set_header("Set-Cookie", std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0" +
                                   std::string(cookie_secure_attr(req)));
  return res;
}

Response list_tokens(Context& ctx, Request& req) {
  auto p = require_account(ctx, req);
  if (!p) return to_response(p.error());
  auto ts = ctx.hub.db().tokens_of(p->account->id);
  if (!ts) return to_response(ts.error());
  json::array out;
  for (auto& t : *ts) out.push_back(token_json(t));
  return Response::json(200, out);
}

Response create_token(Context& ctx, Request& req) {
  auto p = require_account(ctx, req);
  if (!p) return to_response(p.error());
  // A read token must not mint itself a write token (the route is also marked writes()).
  if (auto scope = services::require_write_scope(*p); !scope) return to_response(scope.error(), &*p);
  auto body = body_object(req);
  if (!body) return to_response(body.error());
  auto t = services::create_token(ctx.hub, p->account->id, json::get_string(*body, "name").value_or("token"),
                                  json::get_string(*body, "role").value_or("read"));
  if (!t) return to_response(t.error());
  auto out = token_json(t->token);
  out["token"] = t->secret;
  return Response::json(201, out);
}

Response delete_token(Context& ctx, Request& req) {
  auto p = require_account(ctx, req);
  if (!p) return to_response(p.error());
  if (auto scope = services::require_write_scope(*p); !scope) return to_response(scope.error(), &*p);
  int64_t id = 0;
  try {
    id = std::stoll(req.params["id"]);
  } catch (...) {
    return bad_request("Invalid token id");
  }
  if (auto r = ctx.hub.db().delete_token(p->account->id, id); !r) return to_response(r.error());
  return Response::json(200, json::object{{"deleted", id}});
}

}  // namespace hub::api::handlers
