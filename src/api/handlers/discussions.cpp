// Discussions and pull requests (HUB_API.md §10, issue 17): GET/POST /api/{type}s/{id}/discussions,
// GET …/discussions/{num}[?diff=1], POST …/{num}/comment|title|status|merge and
// …/{num}/comment/{id}/edit|hide. JSON shapes are the Hub's, as huggingface_hub's community.py
// reads them; the use cases and permissions live in services/discussions.h.
#include <charconv>

#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "core/encode.h"
#include "core/time.h"
#include "services/discussions.h"
#include "services/names.h"

namespace hub::api::handlers {

namespace {
namespace db = storage::db;

services::RepoRef repo_ref(Request& req, std::string_view type) {
  return {type, req.params["ns"], req.params["name"]};
}

std::optional<int64_t> num_of(Request& req) {
  const std::string& s = req.params["num"];
  int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size() || n <= 0) return std::nullopt;
  return n;
}


// The comment's text as HTML: escaped, paragraphs kept (no markdown rendering in the API).
std::string comment_html(std::string_view raw) { return raw.empty() ? "" : "<p>" + html_escape(raw) + "</p>"; }

json::object author_json(std::string_view name, bool is_owner = false) {
  return json::object{{"name", name},      {"fullname", name}, {"avatarUrl", ""}, {"type", "user"},
                      {"isPro", false},    {"isHf", false},    {"isMod", false},  {"isOwner", is_owner}};
}

json::object event_json(const db::DiscussionEventRow& e, const db::RepoRow& repo) {
  json::object o{{"id", e.uid}, {"type", e.type}, {"createdAt", iso8601(e.created_at)}};
  if (!e.author_name.empty()) o["author"] = author_json(e.author_name, e.author_name == repo.ns);
  json::object data;
  if (e.type == "comment") {
    auto h = services::comment_history(e);
    std::string editor = h.editor.empty() ? e.author_name : h.editor;
    json::object latest{{"raw", e.text}, {"html", comment_html(e.text)}, {"updatedAt", iso8601(e.updated_at)}};
    if (!editor.empty()) latest["author"] = author_json(editor, editor == repo.ns);
    json::array history{json::object{{"updatedAt", iso8601(e.updated_at)}, {"raw", e.text},
                                     {"html", comment_html(e.text)}, {"author", author_json(editor)}}};
    json::array editors{editor};
    for (auto it = h.before.rbegin(); it != h.before.rend(); ++it) {
      history.push_back(json::object{{"updatedAt", iso8601(it->at)}, {"raw", it->raw}, {"html", comment_html(it->raw)},
                                     {"author", author_json(it->editor)}});
      bool seen = false;
      for (const auto& x : editors) seen = seen || x.as_string() == it->editor;
      if (!seen) editors.push_back(json::value(it->editor));
    }
    data = json::object{{"edited", !h.before.empty()}, {"hidden", e.hidden},      {"latest", latest},
                        {"numEdits", int64_t(h.before.size())}, {"editors", editors}, {"reactions", json::array{}},
                        {"isReport", false}, {"history", history}};
  } else if (e.type == "status-change") {
    data = json::object{{"status", e.text}};
  } else if (e.type == "commit") {
    data = json::object{{"subject", e.text}, {"oid", e.extra}};
  } else if (e.type == "title-change") {
    data = json::object{{"from", e.extra}, {"to", e.text}};
  }
  o["data"] = std::move(data);
  return o;
}

json::object summary_json(const db::DiscussionRow& d, const db::RepoRow& repo) {
  json::object o{{"num", d.num},
                 {"title", d.title},
                 {"status", d.status},
                 {"isPullRequest", d.is_pr},
                 {"createdAt", iso8601(d.created_at)},
                 {"repo", json::object{{"name", repo.full_id()}, {"type", repo.type}}},
                 {"pinned", false},
                 {"numComments", d.num_comments},
                 {"topReactions", json::array{}}};
  if (!d.author_name.empty()) o["author"] = author_json(d.author_name, d.author_name == repo.ns);
  return o;
}

// Bodies of the change routes: huggingface_hub sends none for a merge without a comment.
Result<json::object> optional_body(const Request& req) {
  if (req.body.empty()) return json::object{};
  return body_object(req);
}

std::string discussion_url(const Request& req, const db::RepoRow& repo, int64_t num) {
  return req.base_url + "/" + std::string(services::repo_url_prefix(repo.type)) + repo.full_id() + "/discussions/" +
         std::to_string(num);
}

template <class F>
Response change(Context& ctx, Request& req, std::string_view type, const char* key, F&& run) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto num = num_of(req);
  if (!num) return Response::error(404, "Discussion not found");
  auto body = optional_body(req);
  if (!body) return to_response(body.error());
  auto r = repo_ref(req, type);
  Result<db::DiscussionEventRow> e = run(*p, r, *num, *body);
  if (!e) return to_response(e.error(), &*p);
  // The repo row only decides the authors' isOwner flag; the change itself is done.
  auto h = services::open_repo(ctx.hub, *p, type, r.ns, r.name, services::Access::read);
  db::RepoRow row = h ? h->row : db::RepoRow{};
  return Response::json(200, json::object{{key, event_json(*e, row)}});
}

std::string str_field(const json::object& o, std::string_view key) {
  return std::string(json::get_string(o, key).value_or(""));
}
}  // namespace

Response list_discussions(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  services::DiscussionFilter f;
  f.author = std::string(req.query_param("author").value_or(""));
  f.type = std::string(req.query_param("type").value_or(""));
  f.status = std::string(req.query_param("status").value_or(""));
  if (auto pg = req.query_param("p"); pg && !pg->empty()) {
    auto [ptr, ec] = std::from_chars(pg->data(), pg->data() + pg->size(), f.page);
    if (ec != std::errc() || ptr != pg->data() + pg->size() || f.page < 0 || f.page > 1'000'000)
      return bad_request("p must be a page number");
  }
  auto l = services::list_discussions(ctx.hub, *p, repo_ref(req, type), f);
  if (!l) return to_response(l.error(), &*p);
  json::array items;
  for (const auto& d : l->page.items) items.push_back(summary_json(d, l->repo));
  return Response::json(200, json::object{{"discussions", items},
                                          {"count", l->page.total},
                                          {"start", l->start},
                                          {"numItemsPerPage", services::kDiscussionsPerPage}});
}

Response create_discussion(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto body = body_object(req);
  if (!body) return to_response(body.error());
  auto title = json::get_string(*body, "title");
  if (!title) return bad_request("Missing 'title'");
  bool pr = json::get_bool(*body, "pullRequest").value_or(false);
  auto d = services::create_discussion(ctx.hub, *p, repo_ref(req, type), *title, str_field(*body, "description"), pr);
  if (!d) return to_response(d.error(), &*p);
  auto repo = ctx.hub.db().repo_by_id(d->repo_id);
  json::object out{{"num", d->num}, {"pullRequest", d->is_pr}};
  if (repo) out["url"] = discussion_url(req, *repo, d->num);
  if (d->is_pr) out["ref"] = "refs/pr/" + std::to_string(d->num);
  return Response::json(200, out);
}

Response discussion_details(Context& ctx, Request& req, std::string_view type) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return to_response(p.error());
  auto num = num_of(req);
  if (!num) return Response::error(404, "Discussion not found");
  auto d = services::discussion_details(ctx.hub, *p, repo_ref(req, type), *num, req.query_flag("diff"));
  if (!d) return to_response(d.error(), &*p);
  json::object o = summary_json(d->discussion, d->repo);
  o.erase("numComments");
  o.erase("topReactions");
  json::array events;
  for (const auto& e : d->events) events.push_back(event_json(e, d->repo));
  o["events"] = std::move(events);
  o["locked"] = false;
  o["collection"] = "discussions";
  if (d->discussion.is_pr) {
    json::object changes{{"base", d->discussion.target_branch}};
    if (!d->discussion.merge_commit.empty()) changes["mergeCommitId"] = d->discussion.merge_commit;
    o["changes"] = std::move(changes);
    json::array conflicts;
    for (const auto& f : d->conflicts) conflicts.push_back(json::value(f));
    o["filesWithConflicts"] = std::move(conflicts);
    if (d->diff) o["diff"] = *d->diff;
  }
  return Response::json(200, o);
}

Response discussion_comment(Context& ctx, Request& req, std::string_view type) {
  return change(ctx, req, type, "newMessage", [&](auto& p, auto r, int64_t num, const json::object& b) {
    return services::comment_discussion(ctx.hub, p, r, num, str_field(b, "comment"));
  });
}

Response discussion_title(Context& ctx, Request& req, std::string_view type) {
  return change(ctx, req, type, "newTitle", [&](auto& p, auto r, int64_t num, const json::object& b) {
    return services::rename_discussion(ctx.hub, p, r, num, str_field(b, "title"));
  });
}

Response discussion_status(Context& ctx, Request& req, std::string_view type) {
  return change(ctx, req, type, "newStatus", [&](auto& p, auto r, int64_t num, const json::object& b) {
    return services::change_discussion_status(ctx.hub, p, r, num, str_field(b, "status"), str_field(b, "comment"));
  });
}

Response discussion_merge(Context& ctx, Request& req, std::string_view type) {
  return change(ctx, req, type, "newStatus", [&](auto& p, auto r, int64_t num, const json::object& b) {
    return services::merge_pull_request(ctx.hub, p, r, num, str_field(b, "comment"));
  });
}

Response discussion_comment_edit(Context& ctx, Request& req, std::string_view type) {
  std::string id = req.params["comment"];
  return change(ctx, req, type, "updatedComment", [&](auto& p, auto r, int64_t num, const json::object& b) {
    return services::edit_discussion_comment(ctx.hub, p, r, num, id, str_field(b, "content"));
  });
}

Response discussion_comment_hide(Context& ctx, Request& req, std::string_view type) {
  std::string id = req.params["comment"];
  return change(ctx, req, type, "updatedComment", [&](auto& p, auto r, int64_t num, const json::object&) {
    return services::hide_discussion_comment(ctx.hub, p, r, num, id);
  });
}

}  // namespace hub::api::handlers
