// Shared by the repo pages: opening a repo with the visitor's rights, the header, revisions.
#include "core/log.h"
#include "web/pages/pages.h"
#include "web/social.h"

namespace hub::web::pages {

namespace {

std::string prefix_of(std::string_view type) { return type == "dataset" ? "/datasets" : type == "space" ? "/spaces" : ""; }

// The path after /[datasets/]ns/name, to keep it when redirecting a renamed repo.
std::string tail_after_id(std::string_view path, std::string_view type) {
  size_t skip = type == "model" ? 2 : 3;
  size_t pos = 0;
  for (size_t i = 0; i <= skip && pos != std::string_view::npos; ++i) pos = path.find('/', pos + (i ? 1 : 0));
  return pos == std::string_view::npos ? std::string() : std::string(path.substr(pos));
}

}  // namespace

std::optional<RepoView> open_view(Page& p, std::string_view type, services::Access need, Response* err) {
  const std::string& ns = p.req.params["ns"];
  const std::string& name = p.req.params["name"];
  auto h = services::open_repo(p.site.hub, p.who, type, ns, name, need);
  if (!h) {
    if (h.error().detail == Detail::RepoMoved) {
      *err = redirect(prefix_of(type) + "/" + h.error().message + tail_after_id(p.req.path, type), 301);
    } else {
      *err = error_page(p, h.error());
    }
    return std::nullopt;
  }
  auto git = storage::git::Repo::open(h->path);
  if (!git) {
    log::error("cannot open repository", {{"path", h->path}, {"error", git.error().message}});
    *err = error_page(p, 500, "The repository cannot be read");
    return std::nullopt;
  }
  RepoView v;
  v.handle = std::move(*h);
  v.git.emplace(std::move(*git));
  v.type = std::string(type);
  v.id = v.handle.row.full_id();
  v.base = prefix_of(type) + "/" + v.id;
  v.default_branch = v.git->default_branch().value_or("main");
  v.can_write = services::can_write(p.site.hub, p.who, v.handle.row);
  return v;
}

std::string repo_link(const RepoView& v, std::string_view kind, std::string_view rev, std::string_view path) {
  std::string out = v.base + "/" + std::string(kind) + "/" + http::percent_encode(rev);
  if (!path.empty()) out += "/" + url_encode_path(path);
  return out;
}

json::object repo_header(const Page& p, RepoView& v, std::string_view tab, std::string_view rev) {
  auto stats = repo_stats(p.site.hub, v.handle.row, p.who, true);
  std::string r = rev.empty() ? v.default_branch : std::string(rev);
  json::array tabs;
  auto add_tab = [&](std::string_view id, std::string_view label, std::string url) {
    tabs.push_back(json::object{{"id", id}, {"label", label}, {"url", url}, {"active", id == tab}});
  };
  add_tab("card", v.type == "dataset" ? "Dataset card" : "Model card", v.base);
  add_tab("files", "Files and versions", repo_link(v, "tree", r));
  add_tab("commits", "History", repo_link(v, "commits", r));
  bool has_metrics = tab == "metrics";
  if (!has_metrics) {
    if (auto head = v.git->resolve_revision(v.default_branch)) {
      if (auto sum = p.site.summaries.get(v.handle.row, v.handle.path, *head)) has_metrics = !(*sum)->event_files.empty();
    }
  }
  if (has_metrics) add_tab("metrics", "Metrics", v.base + "/metrics");
  add_tab("community", "Community", v.base + "/discussions");
  if (v.can_write) add_tab("settings", "Settings", v.base + "/settings");
  return json::object{{"id", v.id},
                      {"ns", v.handle.row.ns},
                      {"name", v.handle.row.name},
                      {"type", v.type},
                      {"is_dataset", v.type == "dataset"},
                      {"base", v.base},
                      {"private", v.handle.row.is_private},
                      {"gated", !v.handle.row.gated.empty()},
                      {"can_write", v.can_write},
                      {"tabs", std::move(tabs)},
                      {"stats_available", stats.available},
                      {"likes", stats.likes},
                      {"downloads", stats.downloads},
                      {"liked", stats.liked},
                      {"rev", r}};
}

std::optional<std::string> resolve_rev(Page& p, RepoView& v, std::string_view rev, Response* err) {
  auto c = v.git->resolve_revision(rev);
  if (!c) {
    *err = error_page(p, 404, "Revision not found: " + std::string(rev.substr(0, 200)));
    return std::nullopt;
  }
  return *c;
}

json::array ref_choices(RepoView& v, std::string_view current, std::string_view kind, std::string_view suffix) {
  json::array out;
  auto refs = v.git->list_refs();
  if (!refs) return out;
  auto add = [&](const storage::git::RefInfo& r, std::string_view group) {
    std::string url = repo_link(v, kind, r.name);
    if (!suffix.empty()) url += "/" + url_encode_path(suffix);
    out.push_back(json::object{{"name", r.name}, {"group", group}, {"url", url}, {"current", r.name == current}});
  };
  for (auto& r : refs->branches) add(r, "branch");
  for (auto& r : refs->tags) add(r, "tag");
  return out;
}

}  // namespace hub::web::pages
