#include "api/routes.h"

#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "services/xet.h"

namespace hub::api {

void add_routes(http::Router& r, Context& ctx) {
  namespace h = handlers;
  using http::BodyMode;
  using http::Request;
  using http::RouteOptions;
  auto bind = [&ctx](http::Response (*fn)(Context&, Request&)) {
    return [&ctx, fn](Request& req) { return fn(ctx, req); };
  };
  // Every route that changes state is wrapped in writes(): a read token is refused there (403)
  // before the handler runs or the body is read, whatever the handler does (issue 14 #7).
  // Routes whose effect depends on the body (LFS batch upload/download) are decided by the
  // services' write-scope rule, which every write use case also checks.
  auto writes = [&ctx](http::Handler h) -> http::Handler {
    return [&ctx, h = std::move(h)](Request& req) {
      if (auto refused = refuse_read_only(ctx.hub, req)) return std::move(*refused);
      return h(req);
    };
  };

  r.add("GET", "/api/health", bind(h::health));
  // Xet CAS (issue 16, XET.md §4) under its own prefix: CAS tokens, not Hub tokens, authorize
  // these (the handlers check them), so they are not wrapped in writes().
  {
    std::string cas(services::kXetCasPrefix);
    RouteOptions xet_body{BodyMode::streamed};
    r.add("POST", cas + "/v1/xorbs/default/{hash}", bind(h::xet_put_xorb), xet_body);
    r.add("POST", cas + "/v1/shards", bind(h::xet_put_shard), xet_body);
    r.add("POST", cas + "/v2/shards", bind(h::xet_put_shard), xet_body);
    r.add("GET", cas + "/v1/chunks/default-merkledb/{hash}", bind(h::xet_dedup));
    r.add("GET", cas + "/v1/chunks/default/{hash}", bind(h::xet_dedup));  // the JS client's path
    r.add("GET", cas + "/v1/reconstructions/{file}", bind(h::xet_reconstruction));
    r.add("GET", cas + "/v2/reconstructions/{file}", bind(h::xet_reconstruction));
    r.add("GET", cas + "/v1/xorb-data/{xorb}", bind(h::xet_xorb_data));
    r.add("POST", cas + "/v1/telemetry", bind(h::xet_telemetry), RouteOptions{BodyMode::buffered, size_t(1) << 20});
  }
  // Git LFS object hrefs (signed, no credentials): uploads stream into the blob store.
  r.add("PUT", "/api/lfs-objects/{oid}", bind(h::lfs_object_put), RouteOptions{BodyMode::streamed});
  r.add("GET", "/api/lfs-objects/{oid}", bind(h::lfs_object_get));
  r.add("GET", "/api/whoami-v2", bind(h::whoami));
  r.add("POST", "/api/users", bind(h::signup));
  r.add("POST", "/api/login", bind(h::login));
  r.add("POST", "/api/logout", writes(bind(h::logout)));
  r.add("GET", "/api/settings/tokens", bind(h::list_tokens));
  r.add("POST", "/api/settings/tokens", writes(bind(h::create_token)));
  r.add("DELETE", "/api/settings/tokens/{id}", writes(bind(h::delete_token)));
  // Webhooks (issue 17), the Hub's settings API.
  r.add("GET", "/api/settings/webhooks", bind(h::list_webhooks));
  r.add("POST", "/api/settings/webhooks", writes(bind(h::create_webhook)));
  r.add("GET", "/api/settings/webhooks/{id}", bind(h::get_webhook));
  r.add("POST", "/api/settings/webhooks/{id}", writes(bind(h::update_webhook)));
  r.add("DELETE", "/api/settings/webhooks/{id}", writes(bind(h::delete_webhook)));
  r.add("POST", "/api/settings/webhooks/{id}/enable", writes(bind(h::enable_webhook)));
  r.add("POST", "/api/settings/webhooks/{id}/disable", writes(bind(h::disable_webhook)));

  // Inference API (issue 7). Bodies up to 16 MiB reach the handler, which refuses long inputs
  // with a clear 400 rather than a bare 413.
  RouteOptions inference_body{BodyMode::buffered, size_t(16) << 20};
  auto infer_task = [&ctx](Request& req) { return h::run_inference(ctx, req, req.params["task"]); };
  r.add("POST", "/models/{ns}/{name}", [&ctx](Request& req) { return h::run_inference(ctx, req, ""); },
        inference_body);
  r.add("POST", "/models/{ns}/{name}/pipeline/{task}", infer_task, inference_body);
  r.add("POST", "/pipeline/{task}/{ns}/{name}", infer_task, inference_body);
  auto completions = [&ctx](Request& req) { return h::run_completions(ctx, req); };
  r.add("POST", "/models/{ns}/{name}/v1/completions", completions, inference_body);
  r.add("POST", "/v1/completions", completions, inference_body);
  r.add("GET", "/status/{ns}/{name}", [&ctx](Request& req) { return h::model_status(ctx, req); });
  auto chat = [&ctx](Request& req) { return h::chat_completions(ctx, req); };
  r.add("POST", "/models/{ns}/{name}/v1/chat/completions", chat, inference_body);
  r.add("POST", "/v1/chat/completions", chat, inference_body);

  r.add("POST", "/api/repos/create", writes(bind(h::create_repo)));
  r.add("DELETE", "/api/repos/delete", writes(bind(h::delete_repo)));
  r.add("POST", "/api/repos/move", writes(bind(h::move_repo)));

  for (std::string type : {"model", "dataset", "space"}) {
    std::string api = "/api/" + type + "s/{ns}/{name}";
    auto typed = [&ctx, type](http::Response (*fn)(Context&, Request&, std::string_view)) {
      return [&ctx, type, fn](Request& req) { return fn(ctx, req, type); };
    };
    r.add("PUT", api + "/settings", writes(typed(h::repo_settings)));
    r.add("GET", api, typed(h::repo_info));
    r.add("GET", api + "/revision/{rev*}", typed(h::repo_info));
    r.add("GET", api + "/tree/{rest*}", typed(h::list_tree));
    r.add("POST", api + "/paths-info/{rev*}", typed(h::paths_info));
    r.add("GET", api + "/commits/{rev*}", typed(h::list_commits));
    r.add("GET", api + "/refs", typed(h::list_refs));
    r.add("GET", api + "/auth-check/{rest*}", typed(h::auth_check));
    // Files: /{ns}/{name}/... for models, /datasets/... and /spaces/... for the others.
    std::string files = (type == "model" ? "" : "/" + type + "s") + "/{ns}/{name}";
    r.add("GET", files + "/resolve/{rest*}", typed(h::resolve_file));
    r.add("GET", files + "/raw/{rest*}", typed(h::raw_file));
  }

  r.add("POST", "/api/validate-yaml", bind(h::validate_yaml));
  // Write side of the repo API: commits (streamed, bounded by the NDJSON reader's limits).
  for (std::string type : {"model", "dataset", "space"}) {
    std::string api = "/api/" + type + "s/{ns}/{name}";
    auto typed = [&ctx, type](http::Response (*fn)(Context&, Request&, std::string_view)) {
      return [&ctx, type, fn](Request& req) { return fn(ctx, req, type); };
    };
    r.add("POST", api + "/commit/{rev*}", writes(typed(h::commit)), RouteOptions{BodyMode::streamed});
    r.add("POST", api + "/preupload/{rev*}", typed(h::preupload), RouteOptions{BodyMode::buffered, size_t(8) << 20});
    r.add("POST", api + "/branch/{branch*}", writes(typed(h::create_branch)));
    r.add("DELETE", api + "/branch/{branch*}", writes(typed(h::delete_branch)));
    r.add("POST", api + "/tag/{rev*}", writes(typed(h::create_tag)));
    r.add("DELETE", api + "/tag/{tag*}", writes(typed(h::delete_tag)));
    r.add("POST", api + "/super-squash/{branch*}", writes(typed(h::super_squash)));
    r.add("GET", api + "/xet-read-token/{rev*}", typed(h::xet_token));
    r.add("GET", api + "/xet-write-token/{rev*}", typed(h::xet_token));
  }

  // Git LFS (HUB_API.md §7.2, §8) under {repo}[.git]/info/lfs; {name} keeps any ".git".
  for (std::string type : {"model", "dataset", "space"}) {
    std::string lfs = (type == "model" ? "" : "/" + type + "s") + "/{ns}/{name}/info/lfs";
    auto typed = [&ctx, type](http::Response (*fn)(Context&, Request&, std::string_view)) {
      return [&ctx, type, fn](Request& req) { return fn(ctx, req, type); };
    };
    r.add("POST", lfs + "/objects/batch", typed(h::lfs_batch), RouteOptions{BodyMode::buffered, 4u << 20});
    r.add("POST", lfs + "/verify", writes(typed(h::lfs_verify)), RouteOptions{BodyMode::buffered, 64u << 10});
    r.add("GET", lfs + "/locks/{rest*}", typed(h::lfs_locks));
    r.add("POST", lfs + "/locks/{rest*}", writes(typed(h::lfs_locks)));
  }

  // Training metrics (issue 10): TensorBoard scalars at a revision.
  for (std::string type : {"model", "dataset", "space"}) {
    r.add("GET", "/api/" + type + "s/{ns}/{name}/metrics/{rev*}",
          [&ctx, type](Request& req) { return h::repo_metrics(ctx, req, type); });
  }

  // Explore (issue 5): listing/search, tags by type, likes; the task list of the Inference API.
  r.add("GET", "/api/tasks", [&ctx](Request& req) { return h::tasks(ctx, req); });
  for (std::string type : {"model", "dataset", "space"}) {
    auto typed = [&ctx, type](http::Response (*fn)(Context&, Request&, std::string_view)) {
      return [&ctx, type, fn](Request& req) { return fn(ctx, req, type); };
    };
    r.add("GET", "/api/" + type + "s", typed(h::list_repos));
    if (type != "space") r.add("GET", "/api/" + type + "s-tags-by-type", typed(h::tags_by_type));
    std::string api = "/api/" + type + "s/{ns}/{name}";
    r.add("POST", api + "/like", writes(typed(h::like_repo)));
    r.add("DELETE", api + "/like", writes(typed(h::like_repo)));
    r.add("GET", api + "/likers", typed(h::repo_likers));
  }
  r.add("GET", "/api/users/{user}/likes", bind(h::user_likes));
  // Repo ids without a namespace (issue 17: HfFileSystem/ListGitCommits tests probe them).
  for (std::string type : {"model", "dataset", "space"}) {
    std::string one = "/api/" + type + "s/{name}";
    for (std::string tail : {"", "/revision/{rev*}", "/commits/{rev*}", "/tree/{rest*}"})
      r.add("GET", one + tail, bind(h::repo_without_namespace));
  }

  // Discussions and pull requests (issue 17).
  for (std::string type : {"model", "dataset", "space"}) {
    auto typed = [&ctx, type](http::Response (*fn)(Context&, Request&, std::string_view)) {
      return [&ctx, type, fn](Request& req) { return fn(ctx, req, type); };
    };
    std::string d = "/api/" + type + "s/{ns}/{name}/discussions";
    r.add("GET", d, typed(h::list_discussions));
    r.add("POST", d, writes(typed(h::create_discussion)));
    r.add("GET", d + "/{num}", typed(h::discussion_details));
    r.add("POST", d + "/{num}/comment", writes(typed(h::discussion_comment)));
    r.add("POST", d + "/{num}/title", writes(typed(h::discussion_title)));
    r.add("POST", d + "/{num}/status", writes(typed(h::discussion_status)));
    r.add("POST", d + "/{num}/merge", writes(typed(h::discussion_merge)));
    r.add("POST", d + "/{num}/comment/{comment}/edit", writes(typed(h::discussion_comment_edit)));
    r.add("POST", d + "/{num}/comment/{comment}/hide", writes(typed(h::discussion_comment_hide)));
  }

  // Gated repos: access requests (issue 17).
  for (std::string type : {"model", "dataset", "space"}) {
    auto typed = [&ctx, type](http::Response (*fn)(Context&, Request&, std::string_view)) {
      return [&ctx, type, fn](Request& req) { return fn(ctx, req, type); };
    };
    std::string a = "/api/" + type + "s/{ns}/{name}";
    r.add("POST", a + "/user-access-request/handle", writes(typed(h::handle_access_request)));
    r.add("POST", a + "/user-access-request/grant", writes(typed(h::grant_access)));
    r.add("GET", a + "/user-access-request/{status}", typed(h::list_access_requests));
    r.add("POST", a + "/ask-access", writes(typed(h::ask_access)));
  }

  // Git smart HTTP, with and without the ".git" suffix (the handler strips it).
  RouteOptions streamed{BodyMode::streamed};
  for (std::string type : {"model", "dataset", "space"}) {
    std::string base = type == "model" ? "" : "/" + type + "s";
    r.add("GET", base + "/{ns}/{name}/info/refs",
          [&ctx, type](Request& req) { return h::git_info_refs(ctx, req, type); });
    for (std::string svc : {"git-upload-pack", "git-receive-pack"}) {
      http::Handler run = [&ctx, type, svc](Request& req) { return h::git_service(ctx, req, type, svc); };
      r.add("POST", base + "/{ns}/{name}/" + svc, svc == "git-receive-pack" ? writes(std::move(run)) : run, streamed);
    }
  }
}

void add_legacy_routes(http::Router& r, Context& ctx) {
  namespace h = handlers;
  using http::Request;
  // Legacy single-segment repo ids ("gpt2"): no such repo here, so the Hub's RepoNotFound
  // rather than a routing 404 (issue 15). Added after web/'s routes, so only paths nothing
  // else matched get here (a repo named "resolve" keeps its pages).
  for (std::string type : {"model", "dataset", "space"}) {
    auto legacy = [&ctx, type](Request& req) { return h::legacy_repo_id(ctx, req, type); };
    for (std::string method : {"GET", "POST", "PUT", "DELETE"}) {
      r.add(method, "/api/" + type + "s/{name}", legacy);
      r.add(method, "/api/" + type + "s/{name}/{rest*}", legacy);
    }
    std::string files = (type == "model" ? "" : "/" + type + "s") + "/{name}";
    r.add("GET", files + "/resolve/{rest*}", legacy);
    r.add("GET", files + "/raw/{rest*}", legacy);
  }
}

}  // namespace hub::api
