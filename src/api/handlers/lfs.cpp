// Git LFS over HTTP (HUB_API.md §7.2, §8): the batch API and verify under a repo's
// ".git/info/lfs", the lock routes git-lfs probes (404: no locking), and the signed object
// hrefs PUT/GET /api/lfs-objects/{oid}?repo=&token= that clients use without credentials.
// Replies are application/vnd.git-lfs+json; errors carry {"message"} for git-lfs plus the Hub's
// {"error"} and X-Error-* headers for the Python/JS clients. Uploads stream into the blob store
// (1 MiB buffer); downloads go out with sendfile from the local store, or stream.
#include <unistd.h>

#include <charconv>
#include <ctime>

#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/request_auth.h"
#include "core/log.h"
#include "http/hub_error.h"
#include "services/lfs.h"
#include "services/limits.h"
#include "services/names.h"
#include "services/repos.h"
#include "services/xet.h"

namespace hub::api::handlers {

namespace lfs = storage::lfs;

namespace {

constexpr std::string_view kLfsType = "application/vnd.git-lfs+json";

int64_t now_unix() { return int64_t(std::time(nullptr)); }

Response lfs_json(int status, const json::value& v) {
  Response r = Response::json(status, v);
  r.set_header("Content-Type", kLfsType);
  return r;
}

Response lfs_error(int status, std::string_view message, std::string_view code = {}) {
  Response r = Response::error(status, message, code);
  r.body = json::serialize(json::object{{"message", message}, {"error", message}});
  r.set_header("Content-Type", kLfsType);
  return r;
}

// Service errors as LFS replies: the one mapping (http/hub_error.h), in git-lfs's body shape.
Response lfs_error_of(const Error& e, const services::Principal* p = nullptr) {
  auto d = http::describe_error(e, p && p->anonymous());
  return lfs_error(d.status, d.message, d.code);
}

Response challenge(std::string_view message) {
  // Challenges go to anonymous callers only: the mapping's 401 + RepoNotFound.
  auto d = http::describe_error(Error{Errc::not_found, std::string(message), Detail::RepoNotFound}, true);
  Response r = lfs_error(d.status, d.message, d.code);
  // git-lfs reads LFS-Authenticate, then asks its credential helper and retries.
  r.set_header("LFS-Authenticate", "Basic realm=\"hubd\"");
  return r;
}

struct Authorized {
  services::Principal principal;
  services::RepoHandle repo;
};

// Permission as for git: read for download, write for upload; anonymous callers get a Basic
// challenge wherever credentials could help.
std::variant<Authorized, Response> authorize(Context& ctx, Request& req, std::string_view type,
                                             services::Access need) {
  auto p = principal_of(ctx.hub, req);
  if (!p) return challenge(p.error().message);
  std::string name = req.params["name"];
  if (name.ends_with(".git")) name.resize(name.size() - 4);
  auto h = services::open_repo(ctx.hub, *p, type, req.params["ns"], name, need);
  if (h) return Authorized{std::move(*p), std::move(*h)};
  const Error& e = h.error();
  if (e.detail == Detail::RepoMoved) {
    // 307 keeps the method and body; same LFS path under the new name.
    std::string suffix = req.path.substr(req.path.find("/info/lfs"));
    Response r = lfs_error(307, "Repository moved to " + e.message);
    r.set_header("Location", req.base_url + "/" + std::string(services::repo_url_prefix(type)) + e.message + ".git" + suffix);
    return r;
  }
  if (e.detail == Detail::GatedRepo && p->anonymous()) {  // git-lfs then asks for credentials
    Response r = lfs_error_of(e, &*p);
    r.set_header("LFS-Authenticate", "Basic realm=\"hubd\"");
    return r;
  }
  if ((e.detail == Detail::RepoNotFound || e.code == Errc::unauthenticated) && p->anonymous())
    return challenge(e.code == Errc::unauthenticated ? e.message : "Repository not found");
  return lfs_error_of(e, &*p);
}

json::object action_json(const services::LfsAction& a) {
  json::object o{{"href", a.href}};
  if (!a.header.empty()) {
    json::object h;
    for (const auto& [k, v] : a.header) h[k] = v;
    o["header"] = std::move(h);
  }
  if (a.expires_in > 0) o["expires_in"] = a.expires_in;
  return o;
}

json::object object_json(const services::LfsObjectResult& r) {
  json::object o{{"oid", r.oid}, {"size", r.size}};
  if (r.error_code != 0) {
    o["error"] = json::object{{"code", r.error_code}, {"message", r.error_message}};
    return o;
  }
  json::object actions;
  if (r.upload) actions["upload"] = action_json(*r.upload);
  if (r.verify) actions["verify"] = action_json(*r.verify);
  if (r.download) actions["download"] = action_json(*r.download);
  if (!actions.empty()) {
    o["authenticated"] = true;  // the hrefs carry their own grant
    o["actions"] = std::move(actions);
  }
  return o;
}

// "bytes=a-b", "bytes=a-", "bytes=-n". nullopt: no usable single range (serve it all).
// *unsatisfiable set when the range cannot be served from `size` bytes.
std::optional<lfs::ByteRange> parse_range(std::string_view h, uint64_t size, bool* unsatisfiable) {
  *unsatisfiable = false;
  if (!h.starts_with("bytes=")) return std::nullopt;
  h.remove_prefix(6);
  if (h.find(',') != std::string_view::npos) return std::nullopt;  // multipart ranges: send all
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto num = [](std::string_view s, uint64_t& v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
  };
  std::string_view a = h.substr(0, dash), b = h.substr(dash + 1);
  uint64_t start = 0, end = 0;
  if (a.empty()) {
    if (!num(b, end)) return std::nullopt;
    if (end == 0 || size == 0) return *unsatisfiable = true, std::nullopt;
    uint64_t n = std::min(end, size);
    return lfs::ByteRange{size - n, n};
  }
  if (!num(a, start)) return std::nullopt;
  if (!b.empty() && (!num(b, end) || end < start)) return std::nullopt;
  if (start >= size) return *unsatisfiable = true, std::nullopt;
  if (b.empty()) return lfs::ByteRange{start, std::nullopt};
  return lfs::ByteRange{start, std::min(end, size - 1) - start + 1};
}

Result<services::LfsGrant> check_token(Context& ctx, Request& req, lfs::UrlOp op) {
  return services::lfs_check_token(ctx.hub, op, req.params["oid"], req.query_param("repo").value_or(""),
                                   req.query_param("token").value_or(""), now_unix());
}

// An LFS download href of an object this repo holds as a Xet file: the bytes rebuilt, Range too.
Response xet_object_get(Context& ctx, Request& req, const storage::db::XetFileRow& file, std::string_view oid) {
  bool unsatisfiable = false;
  std::optional<lfs::ByteRange> range;
  if (auto h = req.header("Range")) range = parse_range(*h, file.size, &unsatisfiable);
  if (unsatisfiable) {
    Response r = lfs_error(416, "Range not satisfiable");
    r.set_header("Content-Range", "bytes */" + std::to_string(file.size));
    return r;
  }
  uint64_t first = range ? range->offset : 0;
  uint64_t len = range ? range->length.value_or(file.size - first) : file.size;
  auto reader = services::xet_open_file(ctx.hub, file, first, len);
  if (!reader) return lfs_error_of(reader.error());
  Response res;
  res.status = range ? 206 : 200;
  res.set_header("Content-Type", "application/octet-stream");
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("ETag", "\"" + std::string(oid) + "\"");
  if (range)
    res.set_header("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(first + len - 1) + "/" +
                                        std::to_string(file.size));
  res.content_length = len;
  res.stream = std::move(*reader);
  return res;
}

}  // namespace

Response lfs_batch(Context& ctx, Request& req, std::string_view type) {
  // Parse first only as far as the operation, which decides the permission needed.
  auto doc = json::parse(req.body);
  if (!doc || !doc->is_object()) return lfs_error(400, "Malformed batch request: expected a JSON object");
  const auto& o = doc->as_object();
  auto op_name = json::get_string(o, "operation");
  if (!op_name || (*op_name != "upload" && *op_name != "download"))
    return lfs_error(422, "operation must be \"upload\" or \"download\"");
  auto op = *op_name == "upload" ? services::LfsOp::upload : services::LfsOp::download;

  auto auth = authorize(ctx, req, type, op == services::LfsOp::upload ? services::Access::write : services::Access::content);
  if (auto* r = std::get_if<Response>(&auth)) return std::move(*r);
  auto& a = std::get<Authorized>(auth);

  bool offers_xet = false;
  if (const auto* t = json::find(o, "transfers"); t && !t->is_null()) {
    bool basic = false;
    if (!t->is_array()) return lfs_error(422, "transfers must be an array");
    for (const auto& x : t->as_array()) basic = basic || (x.is_string() && x.as_string() == "basic");
    for (const auto& x : t->as_array()) offers_xet = offers_xet || (x.is_string() && x.as_string() == "xet");
    if (!basic && !t->as_array().empty()) return lfs_error(422, "Only the basic transfer is supported");
  }
  if (const auto* h = json::find(o, "hash_algo"); h && !h->is_null()) {
    // JS sends "sha_256" (HUB_API.md §7.2).
    if (!h->is_string() || (h->as_string() != "sha256" && h->as_string() != "sha_256"))
      return lfs_error(409, "Unsupported hash algorithm: only sha256");
  }
  const json::array* objs = json::get_array(o, "objects");
  if (!objs) return lfs_error(422, "objects must be an array");
  if (objs->size() > services::kLfsMaxBatchObjects)
    return lfs_error(413, "Too many objects in one batch (at most " + std::to_string(services::kLfsMaxBatchObjects) + ")");
  std::vector<services::LfsObjectRequest> reqs;
  reqs.reserve(objs->size());
  for (const auto& v : *objs) {
    services::LfsObjectRequest r{"", -1};
    if (v.is_object()) {
      if (auto oid = json::get_string(v.as_object(), "oid")) r.oid = std::string(*oid);
      if (auto size = json::get_int(v.as_object(), "size")) r.size = *size;
    }
    reqs.push_back(std::move(r));
  }
  std::string lfs_url = req.base_url + "/" + std::string(services::repo_url_prefix(type)) + a.repo.row.ns + "/" +
                        a.repo.row.name + ".git/info/lfs";
  // Objects over the size limit get the LFS spec's per-object 422; the rest go on as usual.
  std::vector<std::optional<services::LfsObjectResult>> refused(reqs.size());
  std::vector<services::LfsObjectRequest> accepted;
  for (size_t i = 0; i < reqs.size(); ++i) {
    auto ok = op == services::LfsOp::upload && reqs[i].size > 0
                  ? services::check_lfs_object_size(ctx.hub.config().limits, uint64_t(reqs[i].size), "object " + reqs[i].oid.substr(0, 64))
                  : Result<void>{};
    if (ok) {
      accepted.push_back(reqs[i]);
      continue;
    }
    services::LfsObjectResult r;
    r.oid = reqs[i].oid.substr(0, 64);
    r.size = reqs[i].size;
    r.error_code = 422;
    r.error_message = ok.error().message;
    refused[i] = std::move(r);
  }
  auto res = services::lfs_batch(ctx.hub, a.principal, a.repo, op, accepted, {req.base_url, lfs_url}, now_unix());
  if (!res) return lfs_error_of(res.error(), &a.principal);
  // Uploads from a client that offers Xet (the JS client, Python 0.36-1.19) go through the CAS
  // (XET.md §5.5): objects to upload get the xet-write-token href and a CAS token in headers;
  // objects this repo already has as a Xet file need nothing.
  bool xet = offers_xet && op == services::LfsOp::upload;
  if (xet) {
    std::string rev = "main";
    if (const auto* ref = json::get_object(o, "ref"))
      if (auto name = json::get_string(*ref, "name"); name && !name->empty()) rev = std::string(*name);
    if (rev.starts_with("refs/heads/")) rev = rev.substr(11);
    std::optional<services::XetToken> token;
    for (auto& r : *res) {
      if (!r.upload || r.error_code != 0) continue;
      auto have = services::xet_file_for_sha256(ctx.hub, a.repo.row.id, r.oid);
      if (!have) return lfs_error_of(have.error(), &a.principal);
      r.verify.reset();
      if (*have && (*have)->size == uint64_t(r.size)) {
        r.upload.reset();
        continue;
      }
      if (!token) {
        auto t = services::xet_issue_token(ctx.hub, a.principal, type, a.repo.row.ns, a.repo.row.name,
                                           storage::xet::CasOp::write, false, rev, req.base_url, now_unix());
        if (!t) return lfs_error_of(t.error(), &a.principal);
        token = std::move(*t);
      }
      services::LfsAction act;
      act.href = req.base_url + "/api/" + std::string(type) + "s/" + a.repo.row.full_id() + "/xet-write-token/" +
                 http::percent_encode(rev);
      act.header = {{"X-Xet-Cas-Url", token->cas_url},
                    {"X-Xet-Access-Token", token->access_token},
                    {"X-Xet-Token-Expiration", std::to_string(token->exp)}};
      r.upload = std::move(act);
    }
  }
  json::array out;
  for (size_t i = 0, next = 0; i < reqs.size(); ++i) {
    if (refused[i]) out.push_back(object_json(*refused[i]));
    else if (next < res->size()) out.push_back(object_json((*res)[next++]));
  }
  return lfs_json(200, json::object{{"transfer", xet ? "xet" : "basic"}, {"hash_algo", "sha256"}, {"objects", std::move(out)}});
}

Response lfs_verify(Context& ctx, Request& req, std::string_view type) {
  auto doc = json::parse(req.body);
  if (!doc || !doc->is_object()) return lfs_error(400, "Malformed verify request: expected {\"oid\",\"size\"}");
  auto oid = json::get_string(doc->as_object(), "oid");
  auto size = json::get_int(doc->as_object(), "size");
  if (!oid || !size || *size < 0) return lfs_error(422, "verify needs a string oid and a non-negative integer size");
  int64_t repo_id = 0;
  const services::Principal* principal = nullptr;
  std::variant<Authorized, Response> auth = Response{};
  if (req.query_param("token")) {
    // The href we issued: it names the repo and the object it was made for.
    auto g = services::lfs_check_token(ctx.hub, lfs::UrlOp::upload, *oid, req.query_param("repo").value_or(""),
                                       *req.query_param("token"), now_unix());
    if (!g) return lfs_error_of(g.error());
    if (g->size != uint64_t(*size)) return lfs_error(422, "size does not match the upload");
    repo_id = g->repo_id;
  } else {
    // Python verifies with its Bearer token.
    auth = authorize(ctx, req, type, services::Access::write);
    if (auto* r = std::get_if<Response>(&auth)) return std::move(*r);
    repo_id = std::get<Authorized>(auth).repo.row.id;
    principal = &std::get<Authorized>(auth).principal;
  }
  if (auto r = services::lfs_verify(ctx.hub, repo_id, *oid, uint64_t(*size)); !r) {
    if (r.error().code == Errc::corrupt) return lfs_error(422, r.error().message);
    return lfs_error_of(r.error(), principal);
  }
  return lfs_json(200, json::object{{"message", "ok"}});
}

Response lfs_locks(Context&, Request&, std::string_view) {
  // No locking: 404 makes git-lfs turn lock verification off for this remote, quietly.
  return lfs_error(404, "Not found");
}

Response lfs_object_put(Context& ctx, Request& req) {
  auto g = check_token(ctx, req, lfs::UrlOp::upload);
  if (!g) return lfs_error_of(g.error());
  // An href issued before the limit was lowered still cannot bring more than it allows.
  if (auto ok = services::check_lfs_object_size(ctx.hub.config().limits, g->size); !ok)
    return lfs_error_of(ok.error());  // too_large: 413
  if (auto cl = req.header("Content-Length")) {
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(cl->data(), cl->data() + cl->size(), n);
    if (ec != std::errc() || p != cl->data() + cl->size() || n != g->size)
      return lfs_error(400, "Content-Length " + std::string(*cl) + " does not match the object's size " +
                                std::to_string(g->size));
  }
  http::BodySource* src = req.body_source;
  auto r = services::lfs_receive_upload(ctx.hub, *g, [src](char* buf, size_t cap) { return src->read(buf, cap); });
  if (!r) {
    const Error& e = r.error();
    if (e.code == Errc::corrupt || e.code == Errc::too_large)
      return lfs_error(422, "Upload rejected: " + e.message + " (nothing was stored)");
    if (e.code == Errc::io) {
      log::warn("lfs upload broke off", {{"oid", g->oid}, {"error", e.message}});
      return lfs_error(400, "Upload incomplete: " + e.message);
    }
    return lfs_error_of(e);
  }
  return lfs_json(200, json::object{{"message", "ok"}});
}

Response lfs_object_get(Context& ctx, Request& req) {
  auto g = check_token(ctx, req, lfs::UrlOp::download);
  if (!g) return lfs_error_of(g.error());
  // Download tokens are issued for objects linked to their repo; the read checks it again.
  auto size = services::lfs_object_size(ctx.hub, g->repo_id, g->oid, g->size);
  if (!size && size.error().code == Errc::not_found) {
    // Or a Xet file of the repo (issue 16): rebuilt from its xorbs.
    auto xf = services::xet_file_for_sha256(ctx.hub, g->repo_id, g->oid);
    if (xf && *xf && (*xf)->size == g->size) return xet_object_get(ctx, req, **xf, g->oid);
  }
  if (!size) return lfs_error_of(size.error());
  bool unsatisfiable = false;
  std::optional<lfs::ByteRange> range;
  if (auto h = req.header("Range")) range = parse_range(*h, *size, &unsatisfiable);
  if (unsatisfiable) {
    Response r = lfs_error(416, "Range not satisfiable");
    r.set_header("Content-Range", "bytes */" + std::to_string(*size));
    return r;
  }
  auto reader = services::lfs_open_object(ctx.hub, g->repo_id, g->oid, g->size, range.value_or(lfs::ByteRange{}));
  if (!reader) return lfs_error_of(reader.error());
  std::shared_ptr<lfs::BlobReader> rd = std::move(*reader);
  Response res;
  res.status = range ? 206 : 200;
  res.set_header("Content-Type", "application/octet-stream");
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("ETag", "\"" + g->oid + "\"");
  if (range) {
    uint64_t first = rd->range_offset(), len = rd->range_length();
    res.set_header("Content-Range", "bytes " + std::to_string(first) + "-" + std::to_string(first + len - 1) + "/" +
                                        std::to_string(rd->object_size()));
  }
  if (auto fr = rd->file_region()) {
    // The server closes the response's fd; the reader keeps (and closes) its own.
    int fd = ::dup(fr->fd);
    if (fd >= 0) {
      res.file = http::FileBody{fd, fr->offset, fr->length};
      return res;
    }
  }
  res.content_length = rd->range_length();
  res.stream = [rd](char* buf, size_t cap) { return rd->read(buf, cap); };
  return res;
}

}  // namespace hub::api::handlers
