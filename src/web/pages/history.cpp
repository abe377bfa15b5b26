// History: the commit list of a branch (optionally of one path) and a commit with its diff.
#include "storage/git/diff.h"
#include "web/pages/pages.h"

namespace hub::web::pages {

namespace {
constexpr size_t kPerPage = 50;

// The message without its first line (shown as the title) and surrounding blank lines.
std::string commit_body(std::string_view message) {
  size_t nl = message.find('\n');
  if (nl == std::string_view::npos) return {};
  std::string_view rest = message.substr(nl + 1);
  while (!rest.empty() && (rest.front() == '\n' || rest.front() == '\r')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r' || rest.back() == ' ')) rest.remove_suffix(1);
  return std::string(rest);
}
}

void add_diff_view(const RepoView& v, const storage::git::CommitDiff& diff, std::string_view rev, json::object& data) {
  json::array files;
  size_t adds = 0, dels = 0;
  for (auto& f : diff.files) {
    adds += f.additions;
    dels += f.deletions;
    json::array hunks;
    for (auto& h : f.hunks) {
      json::array lines;
      for (auto& l : h.lines)
        lines.push_back(json::object{{"cls", l.origin == '+' ? "add" : l.origin == '-' ? "del" : "ctx"},
                                     {"sign", std::string(1, l.origin)},
                                     {"old", l.old_lineno > 0 ? std::to_string(l.old_lineno) : ""},
                                     {"new", l.new_lineno > 0 ? std::to_string(l.new_lineno) : ""},
                                     {"text", l.text}});
      hunks.push_back(json::object{{"header", h.header}, {"lines", std::move(lines)}});
    }
    const std::string& path = f.status == 'D' ? f.old_path : f.new_path;
    json::object row{{"path", path},
                     {"status", f.status == 'A' ? "added" : f.status == 'D' ? "deleted" : "modified"},
                     {"additions", f.additions},
                     {"deletions", f.deletions},
                     {"binary", f.binary && !f.old_lfs && !f.new_lfs},
                     {"hunks", std::move(hunks)},
                     {"truncated", f.truncated},
                     {"old_size", human_size(f.old_size)},
                     {"new_size", human_size(f.new_size)},
                     {"has_old", f.status != 'A'},
                     {"has_new", f.status != 'D'},
                     {"url", f.status == 'D' ? std::string() : repo_link(v, "blob", rev, path)}};
    if (f.old_lfs || f.new_lfs) {
      json::object lfs;
      if (f.old_lfs) lfs["old"] = json::object{{"oid", f.old_lfs->oid}, {"size", human_size(f.old_lfs->size)}};
      if (f.new_lfs) lfs["new"] = json::object{{"oid", f.new_lfs->oid}, {"size", human_size(f.new_lfs->size)}};
      row["lfs"] = std::move(lfs);
    }
    files.push_back(std::move(row));
  }
  data["files"] = std::move(files);
  data["file_count"] = diff.files.size();
  data["additions"] = adds;
  data["deletions"] = dels;
  data["truncated"] = diff.truncated;
}

Response commits(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Response err;
  auto v = open_view(p, type, services::Access::read, &err);
  if (!v) return err;
  if (req.rest.empty()) return redirect(repo_link(*v, "commits", v->default_branch));
  std::string rev = req.rest[0];
  std::string path;
  for (size_t i = 1; i < req.rest.size(); ++i) path += (path.empty() ? "" : "/") + req.rest[i];
  auto commit = resolve_rev(p, *v, rev, &err);
  if (!commit) return err;
  size_t page = 0;
  if (auto q = req.query_param("p")) {
    try {
      page = std::min<size_t>(std::stoul(std::string(*q)), 100000);
    } catch (...) {
    }
  }
  auto log = v->git->log(*commit, page * kPerPage, kPerPage, path);
  if (!log) return error_page(p, log.error());
  json::array rows;
  for (auto& c : log->commits)
    rows.push_back(json::object{{"title", c.title}, {"author", c.author_name}, {"date", c.date},
                                {"id", c.id}, {"short", c.id.substr(0, 7)}, {"url", v->base + "/commit/" + c.id},
                                {"tree_url", repo_link(*v, "tree", c.id)}});
  json::object data{{"title", "History of " + v->id}};
  data["repo"] = repo_header(p, *v, "commits", rev);
  data["rev"] = rev;
  data["path"] = path;
  data["refs"] = ref_choices(*v, rev, "commits", path);
  data["commits"] = std::move(rows);
  data["total"] = log->total;
  std::string self = repo_link(*v, "commits", rev, path);
  if (page > 0) data["prev_url"] = self + "?p=" + std::to_string(page - 1);
  if ((page + 1) * kPerPage < log->total) data["next_url"] = self + "?p=" + std::to_string(page + 1);
  return render(p, "commits", std::move(data));
}

Response commit(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Response err;
  auto v = open_view(p, type, services::Access::content, &err);  // the diff shows file bytes: gated
  if (!v) return err;
  auto id = resolve_rev(p, *v, req.params["sha"], &err);
  if (!id) return err;
  auto info = v->git->commit_info(*id);
  if (!info) return error_page(p, info.error());
  auto diff = storage::git::diff_commit(*v->git, *id);
  if (!diff) return error_page(p, diff.error());
  json::object data{{"title", info->title + " · " + v->id}};
  add_diff_view(*v, *diff, *id, data);
  json::array parents;
  for (auto& par : info->parents) parents.push_back(json::object{{"short", par.substr(0, 7)}, {"url", v->base + "/commit/" + par}});
  data["repo"] = repo_header(p, *v, "commits", v->default_branch);
  data["commit"] = json::object{{"id", info->id}, {"short", info->id.substr(0, 7)}, {"title", info->title},
                                {"body", commit_body(info->message)}, {"author", info->author_name}, {"date", info->date},
                                {"parents", std::move(parents)}, {"tree_url", repo_link(*v, "tree", info->id)}};
  return render(p, "commit", std::move(data));
}

}  // namespace hub::web::pages
