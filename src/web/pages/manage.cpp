// Repo management from the browser: settings (visibility, rename, delete) and file upload.
// Uploads go through services::CommitSession, the same use case as the commit API (LFS-tracked
// and large files are stored in the blob store first and committed as pointers).
#include "core/hash.h"
#include "core/time.h"
#include "services/commits.h"
#include "services/lfs.h"
#include "storage/git/paths.h"
#include "web/pages/pages.h"

namespace hub::web::pages {

namespace {

// Files at least this large go to LFS even when no .gitattributes rule matches (the Hub's
// clients use 10 MB).
constexpr size_t kLfsThreshold = 10 << 20;

Response bad_token(const Page& p) { return error_page(p, 403, "Invalid form token; reload the page and try again."); }

}  // namespace

Response settings_page(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Response err;
  auto v = open_view(p, type, services::Access::write, &err);
  if (!v) return err;
  json::object data{{"title", "Settings · " + v->id}};
  data["repo"] = repo_header(p, *v, "settings", v->default_branch);
  add_gate_settings(p, *v, data);
  if (auto m = req.query_param("msg")) data["message"] = std::string(m->substr(0, 200));
  return render(p, "settings", std::move(data));
}

Response settings_submit(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Form f = parse_urlencoded(req.body);
  if (!p.signed_in()) return redirect("/login");
  if (!csrf_ok(p, f)) return bad_token(p);
  Response err;
  auto v = open_view(p, type, services::Access::write, &err);
  if (!v) return err;
  const auto& row = v->handle.row;
  std::string action = f.get("action");
  auto fail_page = [&](const Error& e) {
    json::object data{{"title", "Settings · " + v->id}, {"error", e.message}};
    data["repo"] = repo_header(p, *v, "settings", v->default_branch);
    add_gate_settings(p, *v, data);
    return render(p, "settings", std::move(data), e.code == Errc::forbidden ? 403 : e.code == Errc::not_found ? 404 : 400);
  };
  if (auto r = gate_settings_action(p, *v, f, action)) {
    if (!*r) return fail_page(r->error());
    return redirect(v->base + "/settings?msg=" + http::percent_encode(action == "gated" ? "Access requests updated." : "Access request updated."));
  }
  if (action == "visibility") {
    bool priv = f.get("private") == "1";
    auto r = services::update_repo_settings(s.hub, p.who, type, row.ns, row.name, priv, std::nullopt);
    if (!r) return fail_page(r.error());
    return redirect(v->base + "/settings?msg=" + http::percent_encode(priv ? "The repository is now private." : "The repository is now public."));
  }
  if (action == "rename") {
    std::string to = f.get("new_id");
    auto r = services::move_repo(s.hub, p.who, type, row.full_id(), to);
    if (!r) return fail_page(r.error());
    return redirect((type == "dataset" ? "/datasets/" : "/") + r->row.full_id());
  }
  if (action == "delete") {
    if (f.get("confirm") != row.full_id())
      return fail_page(Error{Errc::invalid_argument, "Type the repository's full name to confirm deletion."});
    auto r = services::delete_repo(s.hub, p.who, type, row.ns, row.name);
    if (!r) return fail_page(r.error());
    return redirect("/" + row.ns);
  }
  return error_page(p, 400, "Unknown settings action");
}

Response upload_form(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  Response err;
  auto v = open_view(p, type, services::Access::write, &err);
  if (!v) return err;
  std::string rev = req.params["rev"];
  json::object data{{"title", "Upload files · " + v->id}, {"rev", rev}};
  data["repo"] = repo_header(p, *v, "files", rev);
  data["action"] = v->base + "/upload/" + http::percent_encode(rev);
  return render(p, "upload", std::move(data));
}

Response upload_submit(Site& s, Request& req, std::string_view type) {
  Page p = make_page(s, req);
  if (!p.signed_in()) return redirect("/login");
  auto mp = parse_multipart(req);
  if (!mp) return error_page(p, 400, mp.error().message);
  if (!csrf_ok(p, mp->form)) return bad_token(p);
  Response err;
  auto v = open_view(p, type, services::Access::write, &err);
  if (!v) return err;
  std::string branch = req.params["rev"];
  auto refs = v->git->list_refs();
  bool is_branch = false;
  if (refs)
    for (auto& b : refs->branches) is_branch |= b.name == branch;
  if (!is_branch) return error_page(p, 400, "Files can only be uploaded to a branch");
  auto parent = v->git->resolve_revision("refs/heads/" + branch);
  if (!parent) return error_page(p, parent.error());
  std::vector<UploadedFile> files;
  for (auto& file : mp->files)
    if (!file.filename.empty()) files.push_back(std::move(file));
  if (files.empty()) return error_page(p, 400, "Choose at least one file to upload");
  std::string folder = mp->form.get("folder");
  while (!folder.empty() && folder.back() == '/') folder.pop_back();
  while (!folder.empty() && folder.front() == '/') folder.erase(0, 1);
  std::string summary = mp->form.get("summary");
  if (summary.empty()) summary = files.size() == 1 ? "Upload " + files[0].filename : "Upload " + std::to_string(files.size()) + " files";
  auto session = services::CommitSession::begin(s.hub, p.who, v->handle, {branch, false},
                                                {summary, mp->form.get("description"), ""});
  if (!session) return error_page(p, session.error());
  for (auto& file : files) {
    // Browsers send a bare file name; anything with a path is cut to its last part.
    size_t cut = file.filename.find_last_of("/\\");
    std::string name = cut == std::string::npos ? file.filename : file.filename.substr(cut + 1);
    std::string path = folder.empty() ? name : folder + "/" + name;
    if (auto ok = storage::git::validate_repo_path(path); !ok) return error_page(p, 400, ok.error().message);
    services::CommitOp op;
    op.path = path;
    if (file.data.size() >= kLfsThreshold || v->git->is_lfs_tracked(*parent, path).value_or(false)) {
      // Into the blob store first: the commit only points at verified objects.
      op.kind = services::CommitOp::Kind::lfs_file;
      op.oid = sha256_hex(file.data);
      op.size = file.data.size();
      if (auto r = services::lfs_put_object(s.hub, v->handle.row.id, op.oid, file.data); !r) return error_page(p, r.error());
    } else {
      op.kind = services::CommitOp::Kind::file;
      op.content = std::move(file.data);
    }
    if (auto r = session->apply(std::move(op)); !r) return error_page(p, r.error());
  }
  auto done = session->finish();
  if (!done) {
    if (done.error().code == Errc::conflict) return error_page(p, 409, "The branch moved while uploading; try again.");
    return error_page(p, done.error());
  }
  return redirect(v->base + "/commit/" + done->commit_oid);
}

}  // namespace hub::web::pages
