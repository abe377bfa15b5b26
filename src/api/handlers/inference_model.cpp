#include "api/handlers/inference_model.h"

#include <chrono>
#include <cstdio>

#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "inference/models/model.h"
#include "inference/runtime/generation_engine.h"
#include "inference/runtime/model_cache.h"
#include "services/model_files.h"
#include "services/model_snapshots.h"
#include "storage/git/repo.h"

namespace hub::api::handlers {

namespace {
constexpr auto kWaitForModel = std::chrono::seconds(300);

int load_error_status(const Error& e) { return e.code == Errc::internal || e.code == Errc::io ? 500 : 400; }
}  // namespace

bool wait_for_model_header(const http::Request& req) {
  auto w = req.header("X-Wait-For-Model");
  return w && (*w == "true" || *w == "1");
}

void set_compute_headers(http::Response& res, double seconds, std::optional<size_t> characters, size_t batch) {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", seconds);
  res.set_header("x-compute-time", secs);
  res.set_header("x-compute-type", "cpu");
  if (characters) res.set_header("x-compute-characters", std::to_string(*characters));
  if (batch > 0) res.set_header("x-compute-batch-size", std::to_string(batch));
  res.set_header("access-control-expose-headers",
                 characters ? "x-compute-time, x-compute-type, x-compute-characters" : "x-compute-time, x-compute-type");
}

std::variant<InferenceRepo, http::Response> open_inference_repo(Context& ctx, http::Request& req) {
  if (!ctx.models || !ctx.scheduler)
    return http::Response::error(503, "The Inference API is not enabled on this server");
  auto p = principal_of(ctx.hub, req);
  if (!p) return http::Response::error(401, "Invalid credentials in Authorization header");
  InferenceRepo r;
  r.id = req.params["ns"] + "/" + req.params["name"];
  auto h = services::open_repo(ctx.hub, *p, "model", req.params["ns"], req.params["name"], services::Access::content);
  if (!h) {
    if (h.error().code == Errc::not_found) return http::Response::error(404, "Model " + r.id + " does not exist");
    return to_response(h.error(), &*p);
  }
  r.handle = std::move(*h);
  auto git = storage::git::Repo::open(r.handle.path);
  if (!git) return to_response(git.error());
  std::string rev(req.query_param("revision").value_or("HEAD"));
  auto commit = git->resolve_revision(rev);
  if (!commit) return to_response(commit.error(), &*p);
  r.commit = std::move(*commit);
  auto view = services::cached_repo_view(r.handle.row, r.handle.path, r.commit);
  if (!view) return to_response(view.error());
  r.view = std::move(*view);
  return r;
}

namespace {
std::string cache_key(const InferenceRepo& repo) { return repo.handle.row.uid + "@" + repo.commit; }

inference::runtime::ModelCache::Loader loader_of(Context& ctx, const InferenceRepo& repo) {
  // The model's whole memory (weights, tables, a KV cache per generation slot, scratch) is
  // checked against the cache's budget before anything loads: a config that asks for more
  // is a 400 with the reason, never an allocation.
  inference::LoadOptions opts;
  opts.limits.budget_bytes = ctx.models->budget_bytes();
  if (ctx.generation) {
    opts.limits.generation_slots = int64_t(ctx.generation->options().slots);
    opts.limits.prefill_chunk = ctx.generation->options().prefill_chunk;
  }
  return [&hub = ctx.hub, handle = repo.handle, v = repo.view, opts]() -> Result<std::shared_ptr<const inference::Model>> {
    // The snapshot stays pinned from before it is built until the loaded model is gone, so
    // snapshot trimming (services/model_snapshots.h) never removes one in use.
    auto pin = std::make_shared<services::SnapshotPin>(
        services::pin_model_snapshot(hub, services::plan_model_files(hub, handle, *v).dir));
    auto dir = services::materialize_model_files(hub, handle, *v);
    if (!dir) return std::unexpected(dir.error());
    services::trim_model_snapshots(hub);
    auto model = inference::load_model(*dir, opts);
    if (!model) return model;
    struct Pinned {  // members go in reverse: the model first, then its snapshot's pin
      std::shared_ptr<services::SnapshotPin> pin;
      std::shared_ptr<const inference::Model> model;
    };
    auto held = std::make_shared<Pinned>(Pinned{std::move(pin), std::move(*model)});
    return std::shared_ptr<const inference::Model>(held, held->model.get());
  };
}
}  // namespace

std::variant<std::shared_ptr<const inference::Model>, http::Response> load_inference_model(
    Context& ctx, const http::Request& req, const InferenceRepo& repo, bool wait) {
  auto plan = services::plan_model_files(ctx.hub, repo.handle, *repo.view);
  std::string key = cache_key(repo);
  auto loader = loader_of(ctx, repo);
  bool may_load = req.header("X-Load-Model").value_or("1") != "0";
  if (wait && may_load) {
    auto m = ctx.models->get_wait(key, plan.weight_bytes, loader, kWaitForModel);
    if (!m) {
      if (m.error().detail == Detail::Loading) return http::Response::error(503, "Model " + repo.id + " is still loading");
      return http::Response::error(load_error_status(m.error()),
                                   "Model " + repo.id + " cannot be loaded: " + m.error().message);
    }
    return *m;
  }
  auto s = ctx.models->get(key, plan.weight_bytes, loader, may_load);
  if (!s)
    return http::Response::error(load_error_status(s.error()), "Model " + repo.id + " cannot be loaded: " + s.error().message);
  if (!s->model) {
    auto r = http::Response::json(503, json::object{{"error", "Model " + repo.id + " is currently loading"},
                                                    {"estimated_time", s->estimated_time}});
    r.set_header("X-Error-Message", "Model " + repo.id + " is currently loading");
    r.set_header("Retry-After", std::to_string(int(s->estimated_time) + 1));
    return r;
  }
  return s->model;
}

http::Response model_status(Context& ctx, http::Request& req) {
  auto opened = open_inference_repo(ctx, req);
  if (auto* r = std::get_if<http::Response>(&opened)) return std::move(*r);
  const auto& repo = std::get<InferenceRepo>(opened);
  auto plan = services::plan_model_files(ctx.hub, repo.handle, *repo.view);
  json::object out{{"loaded", false},
                   {"state", "Loadable"},
                   {"compute_type", "cpu"},
                   {"framework", repo.view->metadata.library_name.value_or("transformers")}};
  if (plan.weight_bytes > ctx.models->budget_bytes()) {
    out["state"] = "TooBig";
  } else if (auto s = ctx.models->get(cache_key(repo), plan.weight_bytes, loader_of(ctx, repo), false)) {
    if (s->model) out["loaded"] = true, out["state"] = "Loaded";
  } else {
    out["error"] = s.error().message;  // a recent failed load
  }
  return http::Response::json(200, out);
}

}  // namespace hub::api::handlers
