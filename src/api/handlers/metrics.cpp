// GET /api/{type}s/{id}/metrics/{rev}[?max_points=N]: the TensorBoard scalars of every
// events.out.tfevents.* file in the repo at rev (issue 10), parsed by tensorboard/. Event
// files are read whole (from git, or the LFS store), bounded in total so a repo full of huge
// traces cannot exhaust memory.
#include <cstddef>
#include <vector>

#include "api/handlers/handlers.h"
#include "api/handlers/repo_access.h"
#include "tensorboard/metrics_json.h"
#include "tensorboard/scalars.h"

namespace hub::api::handlers {

namespace {
constexpr uint64_t kMaxEventBytes = 512ull << 20;  // over all event files of one request

Result<std::string> read_lfs(services::Hub& hub, const std::string& oid, uint64_t size) {
  auto reader = hub.blobs().get(oid);
  if (!reader) return std::unexpected(reader.error());
  std::string out;
  out.resize(size);
  size_t off = 0;
  while (off < size) {
    auto n = (*reader)->read(std::as_writable_bytes(std::span(out.data() + off, size - off)));
    if (!n) return std::unexpected(n.error());
    if (*n == 0) break;
    off += *n;
  }
  out.resize(off);
  return out;
}
}  // namespace

Response repo_metrics(Context& ctx, Request& req, std::string_view type) {
  auto opened = open_repo_for(ctx, req, type);
  if (auto* r = std::get_if<Response>(&opened)) return std::move(*r);
  auto& o = std::get<OpenedRepo>(opened);
  std::string rev;
  for (size_t i = 0; i < req.rest.size(); ++i) rev += (i ? "/" : "") + req.rest[i];
  if (rev.empty()) rev = "HEAD";
  auto commit = o.resolve(rev);
  if (!commit) return o.error(commit.error());
  tensorboard::MetricsJsonOptions opts;
  if (auto mp = req.query_param("max_points")) {
    try {
      long long v = std::stoll(std::string(*mp));
      if (v < 0) throw std::invalid_argument("negative");
      opts.max_points = size_t(v);
    } catch (...) {
      return Response::error(400, "max_points must be a non-negative integer");
    }
  }
  auto tree = o.repo.list_tree(*commit, "", true);
  if (!tree) return o.error(tree.error());
  std::vector<std::string> contents;
  std::vector<std::string> paths;
  uint64_t total = 0;
  for (auto& e : *tree) {
    if (e.type != storage::git::EntryType::file || !tensorboard::is_event_file(e.path)) continue;
    uint64_t size = e.lfs ? e.lfs->size : e.size;
    if (total + size > kMaxEventBytes)
      return Response::error(413, "The repo's event files are too large to chart at once (over 512 MiB)");
    total += size;
    auto bytes = e.lfs ? read_lfs(ctx.hub, e.lfs->oid, e.lfs->size) : o.repo.read_blob_oid(e.oid, size_t(size) + 1);
    if (!bytes) return o.error(bytes.error());
    contents.push_back(std::move(*bytes));
    paths.push_back(e.path);
  }
  std::vector<tensorboard::EventFile> files;
  for (size_t i = 0; i < contents.size(); ++i)
    files.push_back({paths[i], std::as_bytes(std::span(contents[i].data(), contents[i].size()))});
  Response res = Response::text(200, tensorboard::metrics_json(files, opts), "application/json; charset=utf-8");
  res.set_header("X-Repo-Commit", *commit);
  return res;
}

}  // namespace hub::api::handlers
