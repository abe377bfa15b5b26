// History and refs, read side (HUB_API.md §6): GET .../commits/{rev} (Link pagination,
// X-Total-Count), GET .../refs[?include_prs=1], GET .../auth-check[/write].
#include "api/handlers/handlers.h"
#include "api/handlers/repo_access.h"
#include "api/pagination.h"
#include "api/revision.h"
#include "core/encode.h"

namespace hub::api::handlers {

namespace git = storage::git;

namespace {
constexpr size_t kDefaultCommitPage = 50;
constexpr size_t kMaxCommitPage = 1000;

json::array refs_json(const std::vector<git::RefInfo>& refs) {
  json::array out;
  for (auto& r : refs) out.push_back(json::object{{"name", r.name}, {"ref", r.ref}, {"targetCommit", r.target}});
  return out;
}
}  // namespace

Response list_commits(Context& ctx, Request& req, std::string_view type) {
  auto opened = open_repo_for(ctx, req, type);
  if (auto* r = std::get_if<Response>(&opened)) return std::move(*r);
  auto& o = std::get<OpenedRepo>(opened);
  auto cursor = cursor_of(req);
  if (!cursor) return o.error(cursor.error());
  auto limit = page_limit(req, kDefaultCommitPage, kMaxCommitPage);
  if (!limit) return o.error(limit.error());
  auto rev = join_revision(req.rest);
  if (!rev) return o.error(rev.error());
  // Later pages walk from the commit the first page resolved to.
  auto commit = o.resolve(*cursor && !(*cursor)->commit.empty() ? (*cursor)->commit : *rev);
  if (!commit) return o.error(commit.error());
  uint64_t skip = *cursor ? (*cursor)->offset : 0;
  auto page = o.repo.log(*commit, skip, *limit);
  if (!page) return o.error(page.error());

  bool formatted = false;
  for (auto e : req.query_params("expand"))
    if (e == "formatted") formatted = true;
  json::array out;
  for (auto& c : page->commits) {
    // The git author name stands for the Hub user (commits made through the API are authored
    // by the account's name).
    json::object author{{"user", c.author_name}, {"avatar", ""}};
    json::object item{{"id", c.id},
                      {"title", c.title},
                      {"message", c.message},
                      {"authors", json::array{author}},
                      {"date", c.date}};
    if (formatted)
      item["formatted"] = json::object{{"title", html_escape(c.title)}, {"message", html_escape(c.message)}};
    out.push_back(std::move(item));
  }
  Response res = Response::json(200, out);
  res.set_header("X-Total-Count", std::to_string(page->total));
  if (skip + page->commits.size() < page->total)
    res.set_header("Link", next_link(req, Cursor{*commit, skip + page->commits.size()}));
  return res;
}

Response list_refs(Context& ctx, Request& req, std::string_view type) {
  auto opened = open_repo_for(ctx, req, type);
  if (auto* r = std::get_if<Response>(&opened)) return std::move(*r);
  auto& o = std::get<OpenedRepo>(opened);
  auto refs = o.repo.list_refs();
  if (!refs) return o.error(refs.error());
  json::object out{{"branches", refs_json(refs->branches)},
                   {"tags", refs_json(refs->tags)},
                   {"converts", refs_json(refs->converts)}};
  if (req.query_flag("include_prs")) out["pullRequests"] = refs_json(refs->pull_requests);
  return Response::json(200, out);
}

Response auth_check(Context& ctx, Request& req, std::string_view type) {
  bool write = !req.rest.empty() && req.rest[0] == "write";
  if (!req.rest.empty() && (req.rest.size() > 1 || !write)) return Response::error(404, "Not found");
  // Read access to a gated repo means its files (the Hub answers GatedRepo here).
  auto opened = open_repo_for(ctx, req, type, write ? services::Access::write : services::Access::content);
  if (auto* r = std::get_if<Response>(&opened)) return std::move(*r);
  auto& o = std::get<OpenedRepo>(opened);
  return Response::json(200, json::object{{"repoId", o.handle.row.full_id()}, {"access", write ? "write" : "read"}});
}

}  // namespace hub::api::handlers
