// Files: the tree browser (with a branch switcher) and the file view (highlighted text, LFS
// summaries, safetensors tensor tables).
#include <algorithm>

#include "services/lfs_access.h"
#include "web/highlight.h"
#include "web/pages/pages.h"
#include "web/safetensors_header.h"

namespace hub::web::pages {

namespace {

constexpr uint64_t kMaxShownBytes = 1 << 20;  // larger text files: "too large to display"

std::string join_rest(const std::vector<std::string>& rest, size_t from) {
  std::string out;
  for (size_t i = from; i < rest.size(); ++i) {
    if (!out.empty()) out += '/';
    out += rest[i];
  }
  return out;
}

json::array breadcrumbs(const RepoView& v, std::string_view rev, std::string_view path) {
  json::array out;
  out.push_back(json::object{{"name", v.handle.row.name}, {"url", repo_link(v, "tree", rev)}});
  std::string acc;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    std::string_view part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    acc += (acc.empty() ? "" : "/") + std::string(part);
    out.push_back(json::object{{"name", part}, {"url", repo_link(v, "tree", rev, acc)}});
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool looks_binary(std::string_view data) {
  return data.substr(0, 8000).find('\0') != std::string_view::npos;
}

// Safetensors header: from the git blob (small files) or the LFS store (ranged reads).
Result<SafetensorsHeader> read_safetensors(Site& s, RepoView& v, const std::string& commit,
                                           const storage::git::TreeEntry& e) {
  std::string head;
  if (e.lfs) {
    // Only an object linked to this repo and stored with the pointer's size (lfs_access.h).
    int64_t repo_id = v.handle.row.id;
    auto first = services::lfs_read_object(s.hub, repo_id, e.lfs->oid, e.lfs->size, {0, 8}, 8);
    if (!first) return std::unexpected(first.error());
    auto n = safetensors_header_length(*first);
    if (!n) return std::unexpected(n.error());
    auto text = services::lfs_read_object(s.hub, repo_id, e.lfs->oid, e.lfs->size, {8, *n}, size_t(*n));
    if (!text) return std::unexpected(text.error());
    if (text->size() != *n) return fail(Errc::corrupt, "truncated safetensors header");
    return parse_safetensors_header(*text);
  }
  auto data = v.git->read_blob_oid(e.oid, kMaxSafetensorsHeader + 8);
  if (!data) {
    // A big non-LFS file: read only what is needed is not possible through read_blob; say so.
    return fail(Errc::too_large, "file too large to read its header here");
  }
  auto n = safetensors_header_length(*data);
  if (!n) return std::unexpected(n.error());
  if (data->size() < 8 + *n) return fail(Errc::corrupt, "truncated safetensors header");
  return parse_safetensors_header(std::string_view(*data).substr(8, *n));
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

std::string count_text(uint64_t n) {
  char buf[32];
  if (n >= 1'000'000'000) std::snprintf(buf, sizeof buf, "%.2fB", double(n) / 1e9);
  else if (n >= 1'000'000) std::snprintf(buf, sizeof buf, "%.2fM", double(n) / 1e6);
  else if (n >= 1'000) std::snprintf(buf, sizeof buf, "%.2fk", double(n) / 1e3);
  else std::snprintf(buf, sizeof buf, "%llu", (unsigned long long)n);
  return buf;
}

}  // namespace

constexpr size_t kMaxFolderRows = 5000;

Response tree(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Response err;
  auto v = open_view(p, type, services::Access::read, &err);
  if (!v) return err;
  if (req.rest.empty()) return redirect(repo_link(*v, "tree", v->default_branch));
  std::string rev = req.rest[0];
  std::string path = join_rest(req.rest, 1);
  auto commit = resolve_rev(p, *v, rev, &err);
  if (!commit) return err;
  // One page of a folder: a folder of a hundred thousand files is listed by the API, not here.
  auto listed = v->git->list_tree_page(*commit, path, false, 0, kMaxFolderRows);
  if (!listed) {
    if (auto st = v->git->stat_path(*commit, path); st && st->type == storage::git::EntryType::file)
      return redirect(repo_link(*v, "blob", rev, path));
    if (listed.error().code == Errc::too_large) return error_page(p, 413, listed.error().message);
    return error_page(p, 404, "No folder '" + path + "' at " + rev);
  }
  auto* entries = &listed->entries;
  std::stable_sort(entries->begin(), entries->end(), [](auto& a, auto& b) {
    return a.type == storage::git::EntryType::directory && b.type != storage::git::EntryType::directory;
  });
  json::array rows;
  for (auto& e : *entries) {
    std::string name = e.path.substr(e.path.rfind('/') == std::string::npos ? 0 : e.path.rfind('/') + 1);
    bool dir = e.type == storage::git::EntryType::directory;
    json::object row{{"name", name},
                     {"dir", dir},
                     {"url", repo_link(*v, dir ? "tree" : "blob", rev, e.path)},
                     {"lfs", e.lfs.has_value()},
                     {"size", dir ? std::string() : human_size(e.lfs ? e.lfs->size : e.size)}};
    if (!dir) row["download"] = v->base + "/resolve/" + http::percent_encode(rev) + "/" + url_encode_path(e.path) + "?download=true";
    rows.push_back(std::move(row));
  }
  json::object data{{"title", v->id + (path.empty() ? "" : " / " + path)}};
  data["repo"] = repo_header(p, *v, "files", rev);
  data["rev"] = rev;
  data["path"] = path;
  data["crumbs"] = breadcrumbs(*v, rev, path);
  data["refs"] = ref_choices(*v, rev, "tree", path);
  data["entries"] = std::move(rows);
  data["empty"] = entries->empty();
  if (listed->more) data["more"] = "Only the first " + std::to_string(kMaxFolderRows) + " entries are shown.";
  data["upload_url"] = v->base + "/upload/" + http::percent_encode(rev);
  data["commits_url"] = repo_link(*v, "commits", rev);
  if (auto page = v->git->log(*commit, 0, 1); page && !page->commits.empty()) {
    auto& c = page->commits[0];
    data["last_commit"] = json::object{{"title", c.title}, {"author", c.author_name}, {"date", c.date},
                                       {"short", c.id.substr(0, 7)}, {"url", v->base + "/commit/" + c.id}};
  }
  return render(p, "tree", std::move(data));
}

Response blob(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Response err;
  auto v = open_view(p, type, services::Access::content, &err);  // file bytes: gated (issue 17)
  if (!v) return err;
  if (req.rest.size() < 2) return redirect(repo_link(*v, "tree", req.rest.empty() ? v->default_branch : req.rest[0]));
  std::string rev = req.rest[0];
  std::string path = join_rest(req.rest, 1);
  auto commit = resolve_rev(p, *v, rev, &err);
  if (!commit) return err;
  auto e = v->git->stat_path(*commit, path);
  if (!e) return error_page(p, 404, "No file '" + path + "' at " + rev);
  if (e->type == storage::git::EntryType::directory) return redirect(repo_link(*v, "tree", rev, path));
  std::string parent = path.rfind('/') == std::string::npos ? "" : path.substr(0, path.rfind('/'));
  json::object data{{"title", v->id + " / " + path}};
  data["repo"] = repo_header(p, *v, "files", rev);
  data["rev"] = rev;
  data["path"] = path;
  data["crumbs"] = breadcrumbs(*v, rev, parent);
  data["file_name"] = path.substr(parent.empty() ? 0 : parent.size() + 1);
  data["refs"] = ref_choices(*v, rev, "blob", path);
  std::string enc_path = url_encode_path(path);
  data["raw_url"] = v->base + "/raw/" + http::percent_encode(rev) + "/" + enc_path;
  data["download_url"] = v->base + "/resolve/" + http::percent_encode(rev) + "/" + enc_path + "?download=true";
  data["history_url"] = repo_link(*v, "commits", rev, path);
  uint64_t size = e->lfs ? e->lfs->size : e->size;
  data["size"] = human_size(size);
  if (e->lfs) {
    data["lfs"] = json::object{{"oid", e->lfs->oid}, {"size", human_size(e->lfs->size)}, {"bytes", e->lfs->size},
                               {"pointer_size", e->size}};
  }
  if (path.ends_with(".safetensors")) {
    auto h = read_safetensors(s, *v, *commit, *e);
    if (h) {
      json::array rows;
      for (auto& t : h->tensors)
        rows.push_back(json::object{{"name", t.name}, {"dtype", t.dtype}, {"shape", shape_text(t.shape)},
                                    {"params", count_text(t.elements)}});
      json::array meta;
      for (auto& [k, val] : h->metadata) meta.push_back(json::object{{"key", k}, {"value", val}});
      data["safetensors"] = json::object{{"tensors", std::move(rows)}, {"total", h->total_tensors},
                                         {"params", count_text(h->total_parameters)},
                                         {"shown_all", h->tensors.size() == h->total_tensors}, {"metadata", std::move(meta)}};
    } else {
      data["safetensors_error"] = h.error().message;
    }
  } else if (!e->lfs) {
    if (e->size > kMaxShownBytes) {
      data["too_large"] = true;
    } else {
      auto content = v->git->read_blob_oid(e->oid, kMaxShownBytes);
      if (!content) return error_page(p, content.error());
      if (looks_binary(*content)) {
        data["binary"] = true;
      } else {
        size_t lines = 0;
        std::string_view lang = language_of(path);
        data["code_html"] = highlight_lines(*content, lang, &lines);
        data["lines"] = lines;
        data["language"] = lang;
      }
    }
  }
  return render(p, "blob", std::move(data));
}

}  // namespace hub::web::pages
