// GET /api/{type}s/{id}/metrics/{rev}[?max_points=N]: the TensorBoard scalars of every
// events.out.tfevents.* file in the repo at rev (issue 10), loaded, capped and cached by
// services/metrics.h: 413 when the commit's event files are too large to chart at once, 503
// with Retry-After while other loads hold the memory budget.
#include "api/handlers/handlers.h"
#include "api/handlers/repo_access.h"
#include "services/metrics.h"
#include "tensorboard/metrics_json.h"

namespace hub::api::handlers {

Response repo_metrics(Context& ctx, Request& req, std::string_view type) {
  auto opened = open_repo_for(ctx, req, type, services::Access::content);  // derived from file bytes
  if (auto* r = std::get_if<Response>(&opened)) return std::move(*r);
  auto& o = std::get<OpenedRepo>(opened);
  std::string rev;
  for (size_t i = 0; i < req.rest.size(); ++i) rev += (i ? "/" : "") + req.rest[i];
  if (rev.empty()) rev = "HEAD";
  auto commit = o.resolve(rev);
  if (!commit) return o.error(commit.error());
  tensorboard::MetricsJsonOptions opts;
  if (auto mp = req.query_param("max_points")) {
    try {
      long long v = std::stoll(std::string(*mp));
      if (v < 0) throw std::invalid_argument("negative");
      opts.max_points = size_t(v);
    } catch (...) {
      return Response::error(400, "max_points must be a non-negative integer");
    }
  }
  auto data = services::repo_scalars(ctx.hub, o.handle, o.repo, *commit);
  if (!data) return o.error(data.error());
  Response res = Response::text(200, tensorboard::metrics_json(**data, opts), "application/json; charset=utf-8");
  res.set_header("X-Repo-Commit", *commit);
  return res;
}

}  // namespace hub::api::handlers
