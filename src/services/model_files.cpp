#include "services/model_files.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>

#include "core/fs.h"
#include "core/hash.h"
#include "services/lfs_access.h"
#include "storage/git/repo.h"
#include "storage/lfs/local_store.h"

namespace hub::services {

namespace stdfs = std::filesystem;

namespace {
constexpr size_t kMaxRegularFile = 256u << 20;  // a regular (non-LFS) file the engine reads

bool wanted(const std::string& path) {
  if (path.find('/') == std::string::npos) {
    return path.ends_with(".json") || path.ends_with(".safetensors") || path.ends_with(".txt") ||
           path.ends_with(".model") || path == "merges.txt";
  }
  // sentence-transformers modules: "1_Pooling/config.json", "2_Normalize/...".
  static const std::regex module(R"(^[0-9]+_[A-Za-z]+/[^/]+\.json$)");
  return std::regex_match(path, module);
}

std::string cache_dir(const Hub& hub, const RepoHandle& repo, const RepoView& view) {
  return hub.scratch_dir() + "/cache/models/" + repo.row.uid + "/" + view.commit;
}

Result<void> write_lfs(Hub& hub, int64_t repo_id, const RepoViewFile& f, const std::string& dest) {
  // Only an object linked to this repo and stored with the pointer's size (lfs_access.h).
  if (auto ok = lfs_object_size(hub, repo_id, f.sha256, f.size); !ok) return std::unexpected(ok.error());
  if (auto* local = dynamic_cast<storage::lfs::LocalStore*>(&hub.blobs())) {
    auto src = local->object_path(f.sha256);
    if (!src) return std::unexpected(src.error());
    std::error_code ec;
    stdfs::create_hard_link(*src, dest, ec);  // same filesystem: the data directory
    if (!ec) return {};
    stdfs::copy_file(*src, dest, ec);
    if (ec) return fail(Errc::io, "cannot place " + f.path + ": " + ec.message());
    return {};
  }
  auto reader = lfs_open_object(hub, repo_id, f.sha256, f.size);
  if (!reader) return std::unexpected(reader.error());
  std::ofstream out(dest, std::ios::binary);
  std::vector<std::byte> buf(1 << 20);
  for (;;) {
    auto n = (*reader)->read(buf);
    if (!n) return std::unexpected(n.error());
    if (*n == 0) break;
    out.write(reinterpret_cast<const char*>(buf.data()), std::streamsize(*n));
  }
  if (!out) return fail(Errc::io, "cannot write " + dest);
  return {};
}
}  // namespace

ModelFiles plan_model_files(const Hub& hub, const RepoHandle& repo, const RepoView& view) {
  ModelFiles mf;
  mf.dir = cache_dir(hub, repo, view);
  for (auto& f : view.files)
    if (wanted(f.path) && f.path.ends_with(".safetensors")) mf.weight_bytes += f.size;
  return mf;
}

Result<std::string> materialize_model_files(Hub& hub, const RepoHandle& repo, const RepoView& view) {
  std::string dir = cache_dir(hub, repo, view);
  if (stdfs::exists(dir)) return dir;
  // Built beside the cache (this node's scratch, one filesystem) and renamed into place.
  std::string tmp = hub.scratch_dir() + "/tmp/model-" + hex_encode(random_bytes(8));
  auto cleanup = [&] {
    std::error_code ec;
    stdfs::remove_all(tmp, ec);
  };
  auto git = storage::git::Repo::open(repo.path);
  if (!git) return std::unexpected(git.error());
  for (auto& f : view.files) {
    if (!wanted(f.path)) continue;
    std::string dest = tmp + "/" + f.path;
    if (auto r = fs::make_dirs(stdfs::path(dest).parent_path().string()); !r) {
      cleanup();
      return std::unexpected(r.error());
    }
    Result<void> r;
    if (f.lfs) {
      r = write_lfs(hub, repo.row.id, f, dest);
    } else {
      auto bytes = git->read_blob_oid(f.blob_id, kMaxRegularFile);
      if (!bytes) r = std::unexpected(bytes.error());
      else r = fs::write_file_atomic(dest, *bytes);
    }
    if (!r) {
      cleanup();
      return fail(r.error().code, "cannot prepare " + f.path + " for inference: " + r.error().message);
    }
  }
  if (auto r = fs::make_dirs(stdfs::path(dir).parent_path().string()); !r) {
    cleanup();
    return std::unexpected(r.error());
  }
  if (std::rename(tmp.c_str(), dir.c_str()) != 0) {
    cleanup();
    if (stdfs::exists(dir)) return dir;  // another request built it first
    return fail(Errc::io, "cannot move the model files into place");
  }
  return dir;
}

}  // namespace hub::services
