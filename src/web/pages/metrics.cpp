// Metrics tab (TensorBoard scalars): a page with one chart per tag, runs overlaid. Without JS
// each chart is a server-drawn SVG with the last values; metrics.js replaces it with an
// interactive uPlot chart (smoothing, log scale) fed by metrics.json (same data, LTTB-bounded).
#include <algorithm>
#include <cmath>
#include <map>

#include "http/hub_error.h"
#include "services/lfs_access.h"
#include "services/metrics.h"
#include "tensorboard/lttb.h"
#include "tensorboard/metrics_json.h"
#include "tensorboard/scalars.h"
#include "web/pages/pages.h"

namespace hub::web::pages {

namespace {

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5g", v);
  return buf;
}

// A small static chart: each run a polyline over the tag's step range.
std::string svg_chart(const std::vector<std::pair<std::string, const tensorboard::ScalarSeries*>>& series) {
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (auto& [run, s] : series)
    for (auto& pt : s->points) {
      if (!std::isfinite(pt.value)) continue;
      x0 = std::min(x0, double(pt.step)); x1 = std::max(x1, double(pt.step));
      y0 = std::min(y0, pt.value); y1 = std::max(y1, pt.value);
    }
  if (!(x0 <= x1)) return {};
  if (x1 == x0) x1 = x0 + 1;
  if (y1 == y0) y1 = y0 + 1;
  const double W = 400, H = 160;
  static const char* colors[] = {"#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"};
  std::string out = "<svg class=\"spark\" viewBox=\"0 0 400 160\" preserveAspectRatio=\"none\" role=\"img\">";
  size_t k = 0;
  for (auto& [run, s] : series) {
    // Bounded point count per line, shape kept by LTTB.
    std::vector<tensorboard::ScalarPoint> pts;
    for (auto& pt : s->points)
      if (std::isfinite(pt.value)) pts.push_back(pt);
    pts = tensorboard::lttb(pts, 200);
    out += "<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"" + std::string(colors[k++ % 6]) + "\" points=\"";
    for (auto& pt : pts) {
      double x = (double(pt.step) - x0) / (x1 - x0) * W;
      double y = H - (pt.value - y0) / (y1 - y0) * H;
      out += fmt(x) + "," + fmt(y) + " ";
    }
    out += "\"/>";
  }
  return out + "</svg>";
}

}  // namespace

Response metrics_page(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Response err;
  auto v = open_view(p, type, services::Access::content, &err);  // read from event files: gated
  if (!v) return err;
  std::string rev = std::string(req.query_param("rev").value_or(v->default_branch));
  auto commit = resolve_rev(p, *v, rev, &err);
  if (!commit) return err;
  auto loaded = services::repo_scalars(s.hub, v->handle, *v->git, *commit);
  if (!loaded) return error_page(p, loaded.error());
  const tensorboard::ScalarData& data = **loaded;
  // Tag -> runs that have it, so each chart overlays the runs.
  std::map<std::string, std::vector<std::pair<std::string, const tensorboard::ScalarSeries*>>> by_tag;
  json::array runs;
  for (auto& run : data.runs) {
    runs.push_back(json::object{{"name", run.name}, {"tags", run.tags.size()}});
    for (auto& t : run.tags) by_tag[t.tag].emplace_back(run.name, &t);
  }
  json::array charts;
  for (auto& [tag, series] : by_tag) {
    json::array lasts;
    for (auto& [run, sr] : series)
      if (!sr->points.empty())
        lasts.push_back(json::object{{"run", run}, {"step", sr->points.back().step}, {"value", fmt(sr->points.back().value)},
                                     {"points", sr->points.size()}});
    charts.push_back(json::object{{"tag", tag}, {"svg", svg_chart(series)}, {"lasts", std::move(lasts)}});
  }
  json::object out{{"title", "Metrics · " + v->id}};
  out["repo"] = repo_header(p, *v, "metrics", rev);
  out["rev"] = rev;
  out["runs"] = std::move(runs);
  out["charts"] = std::move(charts);
  out["none"] = data.runs.empty();
  // Event files that could not be read (an LFS object not stored here) come as warnings too.
  json::array skipped;
  for (auto& w : data.warnings)
    if (w.reason == services::kLfsNotStored) skipped.push_back(json::value(w.file));
  out["warnings"] = data.warnings.size() - skipped.size() + data.warnings_dropped;
  out["skipped"] = std::move(skipped);
  out["data_url"] = v->base + "/metrics.json?rev=" + http::percent_encode(*commit);
  return render(p, "metrics", std::move(out));
}

Response metrics_data(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  auto h = services::open_repo(s.hub, p.who, type, req.params["ns"], req.params["name"], services::Access::content);
  if (!h) {
    if (h.error().detail == Detail::GatedRepo) return http::error_response(h.error(), p.who.anonymous());
    return http::error_response(Error{Errc::not_found, "Repository not found", Detail::RepoNotFound});
  }
  auto git = storage::git::Repo::open(h->path);
  if (!git) return Response::error(500, "The repository cannot be read");
  RepoView v;
  v.handle = std::move(*h);
  v.git.emplace(std::move(*git));
  std::string rev = std::string(req.query_param("rev").value_or("HEAD"));
  auto commit = v.git->resolve_revision(rev);
  if (!commit) return http::error_response(Error{Errc::not_found, "Revision not found", Detail::RevisionNotFound});
  auto loaded = services::repo_scalars(s.hub, v.handle, *v.git, *commit);
  if (!loaded) return http::error_response(loaded.error());
  size_t max_points = 2000;
  if (auto m = req.query_param("max_points")) {
    try {
      max_points = std::min<size_t>(std::stoul(std::string(*m)), 100000);
    } catch (...) {
      return Response::error(400, "max_points must be a number");
    }
  }
  Response res;
  res.body = tensorboard::metrics_json(**loaded, {.max_points = max_points});
  res.set_header("Content-Type", "application/json");
  // Keyed by commit: a commit's metrics never change.
  res.set_header("Cache-Control", rev.size() == 40 ? "private, max-age=86400" : "no-cache");
  return res;
}

}  // namespace hub::web::pages
