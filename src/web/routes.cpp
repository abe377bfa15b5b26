#include "web/routes.h"

#include "web/pages/pages.h"
#include "web/site.h"

namespace hub::web {

Result<std::shared_ptr<Site>> add_routes(http::Router& r, services::Hub& hub) {
  auto created = Site::create(hub);
  if (!created) return std::unexpected(created.error());
  std::shared_ptr<Site> site = std::move(*created);
  namespace pg = pages;
  using http::Request;
  using http::Response;
  auto bind = [site](Response (*fn)(Site&, Request&)) {
    return [site, fn](Request& req) { return fn(*site, req); };
  };
  auto typed = [site](Response (*fn)(Site&, Request&, std::string_view), std::string type) {
    return [site, fn, type](Request& req) { return fn(*site, req, type); };
  };

  r.add("GET", "/static/{hash}/{file}", bind(pg::static_file));
  r.add("GET", "/", bind(pg::home));
  r.add("GET", "/-/suggest", bind(pg::suggest));  // "-" starts no account name
  r.add("GET", "/models", [site](Request& req) { return pg::explore(*site, req, "model"); });
  r.add("GET", "/datasets", [site](Request& req) { return pg::explore(*site, req, "dataset"); });
  r.add("GET", "/login", bind(pg::login_form));
  r.add("POST", "/login", bind(pg::login_submit));
  r.add("GET", "/join", bind(pg::join_form));
  r.add("POST", "/join", bind(pg::join_submit));
  r.add("GET", "/logout", bind(pg::logout_form));
  r.add("POST", "/logout", bind(pg::logout));
  r.add("GET", "/settings/tokens", bind(pg::tokens_page));
  r.add("POST", "/settings/tokens", bind(pg::tokens_create));
  r.add("POST", "/settings/tokens/{id}/delete", bind(pg::tokens_delete));
  r.add("GET", "/settings/webhooks", bind(pg::webhooks_page));
  r.add("POST", "/settings/webhooks", bind(pg::webhooks_create));
  r.add("GET", "/settings/webhooks/{id}", bind(pg::webhook_page));
  r.add("POST", "/settings/webhooks/{id}", bind(pg::webhook_action));
  r.add("POST", "/settings/webhooks/{id}/{action}", bind(pg::webhook_action));
  r.add("GET", "/new", bind(pg::new_repo_form));
  r.add("POST", "/new", bind(pg::new_repo_submit));

  // Datasets before models: "/datasets/{ns}/{name}/..." would otherwise read as a model page
  // of a repo named "datasets/{ns}".
  http::RouteOptions upload_opts{http::BodyMode::buffered, size_t(64) << 20};
  for (std::string type : {"dataset", "model"}) {
    std::string base = type == "dataset" ? "/datasets/{ns}/{name}" : "/{ns}/{name}";
    r.add("GET", base + "/tree/{rest*}", typed(pg::tree, type));
    r.add("GET", base + "/blob/{rest*}", typed(pg::blob, type));
    r.add("GET", base + "/commits/{rest*}", typed(pg::commits, type));
    r.add("GET", base + "/commit/{sha}", typed(pg::commit, type));
    r.add("GET", base + "/settings", typed(pg::settings_page, type));
    r.add("POST", base + "/settings", typed(pg::settings_submit, type));
    r.add("GET", base + "/upload/{rev}", typed(pg::upload_form, type));
    r.add("POST", base + "/upload/{rev}", typed(pg::upload_submit, type), upload_opts);
    r.add("POST", base + "/like", typed(pg::like, type));
    r.add("POST", base + "/ask-access", typed(pg::ask_access_submit, type));  // gated repos (issue 17)
    r.add("GET", base + "/metrics", typed(pg::metrics_page, type));
    r.add("GET", base + "/metrics.json", typed(pg::metrics_data, type));
    // Community tab (issue 17).
    r.add("GET", base + "/discussions", typed(pg::discussions_page, type));
    r.add("POST", base + "/discussions", typed(pg::discussion_create, type));
    r.add("GET", base + "/discussions/{num}", typed(pg::discussion_page, type));
    r.add("GET", base + "/discussions/{num}/files", typed(pg::discussion_files, type));
    r.add("POST", base + "/discussions/{num}/{action}", typed(pg::discussion_action, type));
    r.add("GET", base, typed(pg::repo_home, type));
    if (type == "dataset") r.add("GET", "/datasets/{user}", bind(pg::profile));
  }
  r.add("GET", "/{user}", bind(pg::profile));
  return site;
}

}  // namespace hub::web
