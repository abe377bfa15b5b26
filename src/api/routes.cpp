#include "api/routes.h"

#include "api/handlers/handlers.h"

namespace hub::api {

void add_routes(http::Router& r, Context& ctx) {
  namespace h = handlers;
  using http::BodyMode;
  using http::Request;
  using http::RouteOptions;
  auto bind = [&ctx](http::Response (*fn)(Context&, Request&)) {
    return [&ctx, fn](Request& req) { return fn(ctx, req); };
  };

  r.add("GET", "/api/health", bind(h::health));
  r.add("GET", "/api/whoami-v2", bind(h::whoami));
  r.add("POST", "/api/users", bind(h::signup));
  r.add("POST", "/api/login", bind(h::login));
  r.add("POST", "/api/logout", bind(h::logout));
  r.add("GET", "/api/settings/tokens", bind(h::list_tokens));
  r.add("POST", "/api/settings/tokens", bind(h::create_token));
  r.add("DELETE", "/api/settings/tokens/{id}", bind(h::delete_token));

  r.add("POST", "/api/repos/create", bind(h::create_repo));
  r.add("DELETE", "/api/repos/delete", bind(h::delete_repo));
  r.add("POST", "/api/repos/move", bind(h::move_repo));

  for (std::string type : {"model", "dataset", "space"}) {
    std::string api = "/api/" + type + "s/{ns}/{name}";
    auto typed = [&ctx, type](http::Response (*fn)(Context&, Request&, std::string_view)) {
      return [&ctx, type, fn](Request& req) { return fn(ctx, req, type); };
    };
    r.add("PUT", api + "/settings", typed(h::repo_settings));
    r.add("GET", api, typed(h::repo_info));
    r.add("GET", api + "/revision/{rev*}", typed(h::repo_info));
  }

  // Git smart HTTP, with and without the ".git" suffix (the handler strips it).
  RouteOptions streamed{BodyMode::streamed};
  for (std::string type : {"model", "dataset", "space"}) {
    std::string base = type == "model" ? "" : "/" + type + "s";
    r.add("GET", base + "/{ns}/{name}/info/refs",
          [&ctx, type](Request& req) { return h::git_info_refs(ctx, req, type); });
    for (std::string svc : {"git-upload-pack", "git-receive-pack"})
      r.add("POST", base + "/{ns}/{name}/" + svc,
            [&ctx, type, svc](Request& req) { return h::git_service(ctx, req, type, svc); }, streamed);
  }
}

}  // namespace hub::api
