// Tree listing and paths-info (HUB_API.md §5): GET /api/{type}s/{ns}/{name}/tree/{rev}[/{path}]
// with recursive/expand and Link pagination, and POST .../paths-info/{rev} (form or JSON).
#include "api/handlers/handlers.h"
#include "api/handlers/repo_access.h"
#include "api/pagination.h"
#include "api/revision.h"
#include "http/message.h"
#include "services/xet.h"

namespace hub::api::handlers {

namespace git = storage::git;

namespace {
constexpr size_t kPageSize = 1000;        // the Hub's page size
constexpr size_t kExpandedPageSize = 50;  // lastCommit costs a history walk
constexpr size_t kMaxPathsInfo = 1000;

// xetHash (XET.md §5.3) for LFS files whose sha256 a Xet upload to this repo registered, so the
// Python client downloads them through the CAS.
json::object entry_json(Context& ctx, const OpenedRepo& opened, const git::TreeEntry& e) {
  bool dir = e.type == git::EntryType::directory;
  json::object o{{"type", dir ? "directory" : "file"},
                 {"oid", e.oid},
                 {"size", dir ? 0 : (e.lfs ? e.lfs->size : e.size)},
                 {"path", e.path}};
  if (!dir && e.lfs)
    o["lfs"] = json::object{{"oid", e.lfs->oid}, {"size", e.lfs->size}, {"pointerSize", e.lfs->pointer_size ? e.lfs->pointer_size : e.size}};
  if (!dir && e.lfs)
    if (auto x = services::xet_file_for_sha256(ctx.hub, opened.handle.row.id, e.lfs->oid); x && *x && (*x)->size == e.lfs->size)
      o["xetHash"] = (*x)->hash;
  return o;
}

// Adds lastCommit {id,title,date} to each entry; one history walk for the whole batch.
Result<void> add_last_commits(const OpenedRepo& o, std::string_view commit, const std::vector<git::TreeEntry>& entries,
                              json::array& out) {
  std::vector<std::string> paths;
  paths.reserve(entries.size());
  for (auto& e : entries) paths.push_back(e.path);
  HUB_TRY(last, o.repo.last_commits_for_paths(commit, paths));
  for (size_t i = 0; i < out.size() && i < last.size(); ++i) {
    // A partial lastCommit object breaks Python (KeyError): only complete ones are sent.
    if (!last[i]) continue;
    out[i].as_object()["lastCommit"] =
        json::object{{"id", last[i]->id}, {"title", last[i]->title}, {"date", last[i]->date}};
  }
  return {};
}

bool wants_expand(const Request& req) { return req.query_flag("expand"); }
}  // namespace

Response list_tree(Context& ctx, Request& req, std::string_view type) {
  auto opened = open_repo_for(ctx, req, type);
  if (auto* r = std::get_if<Response>(&opened)) return std::move(*r);
  auto& o = std::get<OpenedRepo>(opened);
  auto cursor = cursor_of(req);
  if (!cursor) return o.error(cursor.error());
  auto rp = split_rev_path(req.rest, [&](std::string_view rev) { return o.resolve(rev).has_value(); });
  if (!rp) return o.error(rp.error());
  // Later pages list the commit the first page resolved to.
  auto commit = o.resolve(*cursor && !(*cursor)->commit.empty() ? (*cursor)->commit : rp->revision);
  if (!commit) return o.error(commit.error());
  bool recursive = req.query_flag("recursive");
  bool expand = wants_expand(req);
  size_t page = expand ? kExpandedPageSize : kPageSize;
  size_t offset = *cursor ? size_t((*cursor)->offset) : 0;
  // Only this page is read and held; the walk up to it is bounded by the tree limits.
  auto listed = o.repo.list_tree_page(*commit, rp->path, recursive, offset, page);
  if (!listed) return o.error(listed.error());
  auto& slice = listed->entries;
  json::array out;
  out.reserve(slice.size());
  for (auto& e : slice) out.push_back(entry_json(ctx, o, e));
  if (expand)
    if (auto r = add_last_commits(o, *commit, slice, out); !r) return o.error(r.error());
  Response res = Response::json(200, out);
  if (listed->more) res.set_header("Link", next_link(req, Cursor{*commit, offset + slice.size()}));
  return res;
}

namespace {
// paths=a&paths=b&expand=true (Python) -> paths, expand.
Result<std::pair<std::vector<std::string>, bool>> parse_form(std::string_view body) {
  std::vector<std::string> paths;
  bool expand = false;
  while (!body.empty()) {
    size_t amp = body.find('&');
    std::string_view kv = body.substr(0, amp);
    size_t eq = kv.find('=');
    auto key = http::percent_decode(kv.substr(0, eq), true);
    auto val = http::percent_decode(eq == std::string_view::npos ? "" : kv.substr(eq + 1), true);
    if (!key || !val) return fail(Errc::invalid_argument, "Malformed form body");
    if (*key == "paths" || *key == "paths[]") paths.push_back(std::move(*val));
    else if (*key == "expand") expand = *val == "true" || *val == "1" || *val == "True";
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return std::pair{std::move(paths), expand};
}

// {"paths": [...], "expand": bool} (JS).
Result<std::pair<std::vector<std::string>, bool>> parse_json(std::string_view body) {
  HUB_TRY(v, json::parse(body));
  if (!v.is_object()) return fail(Errc::invalid_argument, "Expected a JSON object with 'paths'");
  const auto& obj = v.as_object();
  std::vector<std::string> paths;
  const json::value* p = json::find(obj, "paths");
  if (p && p->is_string()) {
    paths.emplace_back(p->get_string());
  } else if (p && p->is_array()) {
    for (auto& x : p->get_array()) {
      if (!x.is_string()) return fail(Errc::invalid_argument, "'paths' must be a list of strings");
      paths.emplace_back(x.get_string());
    }
  } else {
    return fail(Errc::invalid_argument, "Expected 'paths': a list of strings");
  }
  return std::pair{std::move(paths), json::get_bool(obj, "expand").value_or(false)};
}
}  // namespace

Response paths_info(Context& ctx, Request& req, std::string_view type) {
  auto opened = open_repo_for(ctx, req, type);
  if (auto* r = std::get_if<Response>(&opened)) return std::move(*r);
  auto& o = std::get<OpenedRepo>(opened);
  auto rev = join_revision(req.rest);
  if (!rev) return o.error(rev.error());
  auto commit = o.resolve(*rev);
  if (!commit) return o.error(commit.error());
  auto ct = req.header("Content-Type").value_or("");
  auto parsed = ct.starts_with("application/json") ? parse_json(req.body) : parse_form(req.body);
  if (!parsed) return o.error(parsed.error());
  auto& [paths, expand] = *parsed;
  if (paths.size() > kMaxPathsInfo)
    return Response::error(400, "Too many paths: at most " + std::to_string(kMaxPathsInfo) + " per request");
  std::vector<git::TreeEntry> found;
  for (const auto& raw : paths) {
    auto p = normalize_repo_path(raw);
    if (!p) return o.error(p.error());
    if (p->empty()) continue;  // the root is not an entry
    auto e = o.repo.stat_path(*commit, *p);
    if (!e) {
      if (e.error().code == Errc::not_found) continue;  // missing paths are left out
      return o.error(e.error());
    }
    found.push_back(std::move(*e));
  }
  json::array out;
  for (auto& e : found) out.push_back(entry_json(ctx, o, e));
  if (expand)
    if (auto r = add_last_commits(o, *commit, found, out); !r) return o.error(r.error());
  return Response::json(200, out);
}

}  // namespace hub::api::handlers
