// The Community tab (issue 17): the repo's discussions and pull requests with filters and a
// new-discussion form; a discussion/PR page with its conversation, a comment box and the
// close/reopen/merge buttons its visitor may use; a PR's files-changed diff (the commit diff
// view, from the merge base with the target branch to the PR head). Every action is a CSRF-
// checked form posted to …/discussions/{num}/{action}; the use cases and their permission
// checks are services/discussions.h, so the pages and the API refuse the same things.
#include <charconv>

#include "services/discussions.h"
#include "web/markdown.h"
#include "web/pages/pages.h"

namespace hub::web::pages {

namespace {
namespace db = storage::db;

services::RepoRef ref_of(Request& req, std::string_view type) { return {type, req.params["ns"], req.params["name"]}; }

std::optional<int64_t> num_param(Request& req) {
  const std::string& s = req.params["num"];
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || ptr != s.data() + s.size() || n <= 0) return std::nullopt;
  return n;
}

json::object row_json(const RepoView& v, const db::DiscussionRow& d) {
  return json::object{{"num", d.num},
                      {"title", d.title},
                      {"status", d.status},
                      {"is_pr", d.is_pr},
                      {"author", d.author_name.empty() ? std::string("deleted") : d.author_name},
                      {"when", time_ago(d.created_at)},
                      {"comments", d.num_comments},
                      {"url", v.base + "/discussions/" + std::to_string(d.num)}};
}

// The header fields of a discussion page: title, status, counts, tabs (conversation, files).
json::object head_json(const RepoView& v, const services::DiscussionDetails& d, std::string_view tab) {
  std::string url = v.base + "/discussions/" + std::to_string(d.discussion.num);
  json::object o = row_json(v, d.discussion);
  o["conversation_url"] = url;
  o["files_url"] = url + "/files";
  o["on_files"] = tab == "files";
  o["target"] = d.discussion.target_branch.starts_with("refs/heads/") ? d.discussion.target_branch.substr(11)
                                                                       : d.discussion.target_branch;
  o["ref"] = "refs/pr/" + std::to_string(d.discussion.num);
  return o;
}
}  // namespace

Response discussions_page(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Response err;
  auto v = open_view(p, type, services::Access::read, &err);
  if (!v) return err;
  services::DiscussionFilter f;
  f.type = std::string(req.query_param("type").value_or(""));
  f.status = std::string(req.query_param("status").value_or("open"));
  if (auto pg = req.query_param("p")) std::from_chars(pg->data(), pg->data() + pg->size(), f.page);
  auto l = services::list_discussions(s.hub, p.who, ref_of(req, type), f);
  if (!l) return error_page(p, l.error());
  json::array rows;
  for (const auto& d : l->page.items) rows.push_back(row_json(*v, d));
  json::object data{{"title", "Community · " + v->id}};
  data["repo"] = repo_header(p, *v, "community", v->default_branch);
  data["discussions"] = std::move(rows);
  data["count"] = l->page.total;
  data["signed_in"] = p.signed_in();
  std::string self = v->base + "/discussions?type=" + http::percent_encode(f.type) + "&status=";
  json::array filters;
  for (auto [st, label] : {std::pair{"open", "Open"}, {"closed", "Closed"}, {"all", "All"}})
    filters.push_back(json::object{{"label", label}, {"url", self + st}, {"active", f.status == st}});
  data["filters"] = std::move(filters);
  std::string page_base = self + http::percent_encode(f.status) + "&p=";
  if (f.page > 0) data["prev_url"] = page_base + std::to_string(f.page - 1);
  if ((f.page + 1) * services::kDiscussionsPerPage < l->page.total) data["next_url"] = page_base + std::to_string(f.page + 1);
  data["error"] = std::string(req.query_param("error").value_or(""));
  return render(p, "discussions", std::move(data));
}

Response discussion_create(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Form f = parse_urlencoded(req.body);
  if (!p.signed_in()) return redirect("/login");
  if (!csrf_ok(p, f)) return error_page(p, 403, "Invalid form token; reload the page and try again.");
  Response err;
  auto v = open_view(p, type, services::Access::read, &err);
  if (!v) return err;
  auto d = services::create_discussion(s.hub, p.who, ref_of(req, type), f.get("title"), f.get("description"),
                                       f.get("pull_request") == "1");
  if (!d) {
    if (d.error().code == Errc::invalid_argument)
      return redirect(v->base + "/discussions?error=" + http::percent_encode(d.error().message));
    return error_page(p, d.error());
  }
  return redirect(v->base + "/discussions/" + std::to_string(d->num));
}

Response discussion_page(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Response err;
  auto v = open_view(p, type, services::Access::read, &err);
  if (!v) return err;
  auto num = num_param(req);
  if (!num) return error_page(p, 404, "Discussion not found");
  auto d = services::discussion_details(s.hub, p.who, ref_of(req, type), *num, false);
  if (!d) return error_page(p, d.error());
  json::array events;
  for (const auto& e : d->events) {
    json::object ev{{"id", e.uid},
                    {"author", e.author_name.empty() ? std::string("deleted") : e.author_name},
                    {"when", time_ago(e.created_at)}};
    if (e.type == "comment") {
      ev["is_comment"] = true;
      ev["hidden"] = e.hidden;
      ev["html"] = e.text.empty() ? std::string() : render_markdown(e.text);
      ev["edited"] = !services::comment_history(e).before.empty();
    } else if (e.type == "status-change") {
      ev["is_status"] = true;
      ev["status"] = e.text;
    } else if (e.type == "commit") {
      ev["is_commit"] = true;
      ev["subject"] = e.text;
      ev["short"] = e.extra.substr(0, 7);
      ev["commit_url"] = v->base + "/commit/" + e.extra;
    } else if (e.type == "title-change") {
      ev["is_title"] = true;
      ev["from"] = e.extra;
      ev["to"] = e.text;
    }
    events.push_back(std::move(ev));
  }
  const auto& row = d->discussion;
  bool is_author = p.who.account && p.who.account->id == row.author_id;
  bool moderate = p.signed_in() && p.who.can_write_scope() && (is_author || d->can_write);
  json::object data{{"title", row.title + " · " + v->id}};
  data["repo"] = repo_header(p, *v, "community", v->default_branch);
  data["discussion"] = head_json(*v, *d, "conversation");
  data["events"] = std::move(events);
  data["signed_in"] = p.signed_in();
  data["action_url"] = v->base + "/discussions/" + std::to_string(row.num);
  data["can_close"] = moderate && (row.status == "open" || row.status == "draft");
  data["can_reopen"] = moderate && row.status == "closed";
  data["can_publish"] = moderate && row.status == "draft";
  data["can_merge"] = row.is_pr && d->can_write && row.status == "open" && d->conflicts.empty() && !d->head.empty();
  json::array conflicts;
  for (const auto& c : d->conflicts) conflicts.push_back(json::value(c));
  data["conflicts"] = std::move(conflicts);
  data["has_conflicts"] = !d->conflicts.empty();
  data["error"] = std::string(req.query_param("error").value_or(""));
  return render(p, "discussion", std::move(data));
}

Response discussion_files(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Response err;
  auto v = open_view(p, type, services::Access::content, &err);  // the PR diff shows file bytes: gated
  if (!v) return err;
  auto num = num_param(req);
  if (!num) return error_page(p, 404, "Discussion not found");
  auto d = services::discussion_details(s.hub, p.who, ref_of(req, type), *num, false);
  if (!d) return error_page(p, d.error());
  if (!d->discussion.is_pr) return redirect(v->base + "/discussions/" + std::to_string(*num));
  json::object data{{"title", "Files changed · " + d->discussion.title + " · " + v->id}};
  data["repo"] = repo_header(p, *v, "community", v->default_branch);
  data["discussion"] = head_json(*v, *d, "files");
  // Against the target as it is now (for a merged PR: as it was before the merge).
  if (!d->head.empty() && !d->diff_from.empty()) {
    auto diff = storage::git::diff_range(*v->git, d->diff_from, d->head);
    if (!diff) return error_page(p, diff.error());
    add_diff_view(*v, *diff, d->head, data);
  }
  if (!data.contains("files")) {
    data["files"] = json::array{};
    data["file_count"] = 0;
    data["additions"] = 0;
    data["deletions"] = 0;
  }
  return render(p, "discussion_files", std::move(data));
}

Response discussion_action(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Form f = parse_urlencoded(req.body);
  if (!p.signed_in()) return redirect("/login");
  if (!csrf_ok(p, f)) return error_page(p, 403, "Invalid form token; reload the page and try again.");
  Response err;
  auto v = open_view(p, type, services::Access::read, &err);
  if (!v) return err;
  auto num = num_param(req);
  if (!num) return error_page(p, 404, "Discussion not found");
  const std::string& action = req.params["action"];
  auto r = ref_of(req, type);
  Result<db::DiscussionEventRow> done = fail(Errc::not_found, "No such action");
  if (action == "comment") done = services::comment_discussion(s.hub, p.who, r, *num, f.get("comment"));
  else if (action == "status") done = services::change_discussion_status(s.hub, p.who, r, *num, f.get("status"), f.get("comment"));
  else if (action == "merge") done = services::merge_pull_request(s.hub, p.who, r, *num, f.get("comment"));
  std::string back = v->base + "/discussions/" + std::to_string(*num);
  if (!done) {
    if (done.error().code == Errc::invalid_argument || done.error().code == Errc::conflict)
      return redirect(back + "?error=" + http::percent_encode(done.error().message));
    return error_page(p, done.error());
  }
  return redirect(back + (done->type == "comment" ? "#" + done->uid : std::string()));
}

}  // namespace hub::web::pages
