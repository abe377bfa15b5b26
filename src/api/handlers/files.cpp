// File downloads: GET/HEAD /[datasets/|spaces/]{ns}/{name}/resolve/{rev}/{path} and /raw/
// (HUB_API.md §4). LFS files are served directly (design (2) of §4.1): 200/206 with the bytes,
// ETag and X-Linked-Etag = the sha256, X-Linked-Size; from local disk by sendfile, from S3
// streamed through this process (clients then need no route to the bucket, and every client
// sees the same headers). Regular files and /raw/ serve the git blob, ETag = its sha1.
// A file committed by sha256 after a Xet upload (issue 16, XET.md §5.2) also answers X-Xet-Hash
// and the xet-auth / xet-reconstruction-info links, a fileinfo reply to the JS client's Accept,
// and the bytes to everyone else: from the LFS store when it holds them, else rebuilt from the
// xorbs (services/xet.h's bridge), Range included.
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>

#include "api/errors.h"
#include "api/handlers/handlers.h"
#include "api/handlers/repo_access.h"
#include "api/revision.h"
#include "core/log.h"
#include "services/counters.h"
#include "services/lfs_access.h"
#include "services/xet.h"
#include "storage/git/pack_process.h"

namespace hub::api::handlers {

namespace git = storage::git;
namespace lfs = storage::lfs;

namespace {
constexpr uint64_t kInMemoryBlob = 8u << 20;  // git blobs up to this are read whole; larger stream

struct Range {
  uint64_t offset = 0, length = 0;
};

// The Range header against a size: nullopt = serve everything (absent, malformed or multi-range:
// RFC 9110 lets us ignore those); unsatisfiable sets *bad.
std::optional<Range> parse_range(std::optional<std::string_view> h, uint64_t size, bool* bad) {
  *bad = false;
  if (!h || !h->starts_with("bytes=")) return std::nullopt;
  std::string_view spec = h->substr(6);
  if (spec.find(',') != std::string_view::npos) return std::nullopt;
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto num = [](std::string_view s, uint64_t* out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // suffix: the last N bytes
    if (!num(b, &last)) return std::nullopt;
    if (last == 0) { *bad = true; return std::nullopt; }
    uint64_t n = std::min(last, size);
    return Range{size - n, n};
  }
  if (!num(a, &first)) return std::nullopt;
  if (!b.empty() && (!num(b, &last) || last < first)) return std::nullopt;
  if (first >= size) { *bad = true; return std::nullopt; }
  uint64_t end = b.empty() ? size - 1 : std::min(last, size - 1);
  return Range{first, end - first + 1};
}

std::string content_type_for(std::string_view path) {
  auto ends = [&](std::string_view s) { return path.ends_with(s); };
  if (ends(".json")) return "application/json; charset=utf-8";
  if (ends(".md") || ends(".txt") || ends(".yaml") || ends(".yml") || ends(".py") || ends(".csv") ||
      ends(".gitattributes") || ends(".gitignore"))
    return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::string content_disposition(std::string_view path) {
  std::string_view base = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  // A name is kept to 255 bytes (what file systems take), cut on a UTF-8 boundary: git allows
  // far longer ones, and a header must stay small.
  if (base.size() > 255) {
    size_t n = 255;
    while (n > 0 && (static_cast<unsigned char>(base[n]) & 0xC0) == 0x80) --n;
    base = base.substr(0, n);
  }
  std::string ascii;
  for (char c : base) ascii += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '_';
  return "inline; filename*=UTF-8''" + http::percent_encode(base) + "; filename=\"" + ascii + "\";";
}

// Status, Content-Range and Content-Length for a body of `size` bytes under the request's Range.
// Returns false (and fills res as 416) when the range cannot be satisfied.
bool apply_range(const Request& req, Response& res, uint64_t size, Range* out) {
  bool bad = false;
  auto r = size == 0 ? std::nullopt : parse_range(req.header("Range"), size, &bad);
  if (bad) {
    auto err = Response::error(416, "Requested range not satisfiable");
    for (auto& [k, v] : res.headers) err.set_header(k, v);
    err.set_header("Content-Type", "application/json; charset=utf-8");
    err.set_header("Content-Range", "bytes */" + std::to_string(size));
    res = std::move(err);
    return false;
  }
  if (r) {
    res.status = 206;
    res.set_header("Content-Range", "bytes " + std::to_string(r->offset) + "-" +
                                        std::to_string(r->offset + r->length - 1) + "/" + std::to_string(size));
    *out = *r;
  } else {
    // An empty file still tells a `Range: bytes=0-0` probe its size (the JS client reads it).
    if (size == 0 && req.header("Range")) res.set_header("Content-Range", "bytes */0");
    *out = Range{0, size};
  }
  res.content_length = out->length;
  return true;
}

// The object is served only through a repo it is linked to and only when stored with the
// pointer's size (services/lfs_access.h): absent, someone else's and another size are one 404.
Response serve_lfs(Context& ctx, Request& req, Response res, const OpenedRepo& o, std::string_view commit,
                   const git::LfsPointer& ptr) {
  int64_t repo_id = o.handle.row.id;
  res.set_header("ETag", "\"" + ptr.oid + "\"");
  res.set_header("X-Linked-Etag", "\"" + ptr.oid + "\"");
  res.set_header("X-Linked-Size", std::to_string(ptr.size));
  // A Xet file registered through this repo with the pointer's sha256 and size.
  std::optional<storage::db::XetFileRow> xet;
  if (auto x = services::xet_file_for_sha256(ctx.hub, repo_id, ptr.oid); x && *x && (*x)->size == ptr.size) xet = **x;
  if (xet) {
    std::string api = req.base_url + "/api/" + o.type + "s/" + o.handle.row.full_id();
    std::string refresh = api + "/xet-read-token/" + std::string(commit);
    std::string info = req.base_url + std::string(services::kXetCasPrefix) + "/v1/reconstructions/" + xet->hash;
    res.set_header("X-Xet-Hash", xet->hash);
    res.set_header("X-Xet-Refresh-Route", refresh);
    res.set_header("Link", "<" + refresh + ">; rel=\"xet-auth\", <" + info + ">; rel=\"xet-reconstruction-info\"");
    if (auto accept = req.header("Accept"); accept && accept->find("application/vnd.xet-fileinfo+json") != std::string_view::npos) {
      // The JS client reads only headers from this answer (XET.md §5.2).
      res.status = 200;
      res.body = json::serialize(json::object{{"hash", xet->hash}, {"refreshUrl", refresh}, {"reconstructionUrl", info},
                                              {"etag", ptr.oid}, {"size", int64_t(ptr.size)}});
      res.set_header("Content-Type", "application/vnd.xet-fileinfo+json");
      return res;
    }
  }
  auto missing = [&](const Error& e) {
    if (e.code != Errc::not_found) {
      log::warn("LFS object read failed", {{"oid", ptr.oid}, {"error", e.message}});
      return Response::error(500, "Internal server error");
    }
    auto r = to_response(Error{Errc::not_found, std::string(services::kLfsNotStored), Detail::EntryNotFound});
    if (auto c = res.header("X-Repo-Commit")) r.set_header("X-Repo-Commit", *c);
    return r;
  };
  // The range is checked against the pointer's size, which the object must then have.
  Range range;
  bool satisfiable = apply_range(req, res, ptr.size, &range);
  if (!satisfiable || req.method == "HEAD") {
    if (xet) return res;
    if (auto st = services::lfs_object_size(ctx.hub, repo_id, ptr.oid, ptr.size); !st) return missing(st.error());
    return res;
  }
  auto reader = services::lfs_open_object(ctx.hub, repo_id, ptr.oid, ptr.size, lfs::ByteRange{range.offset, range.length});
  if (!reader && xet && reader.error().code == Errc::not_found) {
    // Stored as xorbs only: rebuild the bytes.
    auto bytes = services::xet_open_file(ctx.hub, *xet, range.offset, range.length);
    if (!bytes) return missing(bytes.error());
    res.stream = std::move(*bytes);
    return res;
  }
  if (!reader) return missing(reader.error());
  if (auto region = (*reader)->file_region()) {
    // The server closes the fd it is given; the reader keeps (and closes) its own.
    int fd = ::dup(region->fd);
    if (fd < 0) return Response::error(500, "Internal server error");
    res.file = http::FileBody{fd, region->offset, region->length};
    return res;
  }
  std::shared_ptr<lfs::BlobReader> r(std::move(*reader));
  res.stream = [r](char* buf, size_t cap) { return r->read(buf, cap); };
  return res;
}

Response serve_git_blob(OpenedRepo& o, Request& req, Response res, const git::TreeEntry& e) {
  res.set_header("ETag", "\"" + e.oid + "\"");
  Range range;
  if (!apply_range(req, res, e.size, &range)) return res;
  if (req.method == "HEAD" || range.length == 0) return res;
  if (e.size <= kInMemoryBlob) {
    auto data = o.repo.read_blob_oid(e.oid, kInMemoryBlob);
    if (!data) return o.error(data.error());
    res.body = data->substr(range.offset, range.length);
    return res;
  }
  auto proc = git::open_blob_stream(o.handle.path, e.oid);
  if (!proc) return o.error(proc.error());
  auto child = std::make_shared<git::Subprocess>(std::move(*proc));
  child->close_stdin();
  // `git cat-file` cannot seek: a range start is reached by reading and dropping.
  auto skip = std::make_shared<uint64_t>(range.offset);
  auto left = std::make_shared<uint64_t>(range.length);
  res.stream = [child, skip, left](char* buf, size_t cap) -> Result<size_t> {
    while (*left > 0) {
      size_t want = *skip > 0 ? std::min<uint64_t>(cap, *skip) : std::min<uint64_t>(cap, *left);
      ssize_t n = ::read(child->stdout_fd(), buf, want);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return fail(Errc::io, std::string("reading git blob: ") + std::strerror(errno));
      if (n == 0) return fail(Errc::io, "git blob ended early");
      if (*skip > 0) {
        *skip -= uint64_t(n);
        continue;
      }
      *left -= uint64_t(n);
      return size_t(n);
    }
    return size_t(0);
  };
  res.on_done = [child] {
    child->kill(SIGKILL);
    (void)child->wait();
  };
  return res;
}

Response serve(Context& ctx, Request& req, std::string_view type, bool raw) {
  // File bytes: past the gate of a gated repo (services/gating.h).
  auto opened = open_repo_for(ctx, req, type, services::Access::content);
  if (auto* r = std::get_if<Response>(&opened)) return std::move(*r);
  auto& o = std::get<OpenedRepo>(opened);
  auto rp = split_rev_path(req.rest, [&](std::string_view rev) { return o.resolve(rev).has_value(); });
  if (!rp) return o.error(rp.error());
  auto commit = o.resolve(rp->revision);
  if (!commit) return o.error(commit.error());
  auto not_found = [&](std::string_view msg) {
    auto r = to_response(Error{Errc::not_found, std::string(msg), Detail::EntryNotFound});
    // Python caches misses per commit (.no_exist/{commit}/{path}).
    r.set_header("X-Repo-Commit", *commit);
    return r;
  };
  if (rp->path.empty()) return not_found("Entry not found");
  auto entry = o.repo.stat_path(*commit, rp->path);
  if (!entry) {
    if (entry.error().code == Errc::not_found) return not_found("Entry not found");
    return o.error(entry.error());
  }
  if (entry->type != git::EntryType::file) return not_found("Entry not found: '" + rp->path + "' is a folder");

  Response res;
  res.set_header("X-Repo-Commit", *commit);
  res.set_header("Accept-Ranges", "bytes");
  res.set_header("Content-Type", content_type_for(rp->path));
  if (!req.query_flag("noContentDisposition")) res.set_header("Content-Disposition", content_disposition(rp->path));
  // Download counters (issue 5, HUB_API.md §4.5): GET or HEAD of a query file; in memory, batched.
  if (!raw) services::count_file_request(ctx.hub, o.handle.row, rp->path, req.remote_addr);
  if (!raw && entry->lfs) return serve_lfs(ctx, req, std::move(res), o, *commit, *entry->lfs);
  return serve_git_blob(o, req, std::move(res), *entry);
}
}  // namespace

Response resolve_file(Context& ctx, Request& req, std::string_view type) { return serve(ctx, req, type, false); }
Response raw_file(Context& ctx, Request& req, std::string_view type) { return serve(ctx, req, type, true); }

}  // namespace hub::api::handlers
