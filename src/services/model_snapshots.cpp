#include "services/model_snapshots.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/log.h"

namespace hub::services {

namespace stdfs = std::filesystem;

namespace {

std::mutex g_mu;  // pins and trims: a trim never sees a pin half-taken
std::unordered_map<std::string, int> g_pins;

std::string root_of(const Hub& hub) { return hub.scratch_dir() + "/cache/models"; }

// Bytes of the files under `dir` that no other directory links (st_nlink == 1).
uint64_t own_bytes(const stdfs::path& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (auto it = stdfs::recursive_directory_iterator(dir, ec); !ec && it != stdfs::recursive_directory_iterator();
       it.increment(ec)) {
    struct stat st;
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1) n += uint64_t(st.st_size);
  }
  return n;
}

SnapshotTrim trim_locked(const std::string& root, uint64_t limit) {
  struct Snap {
    stdfs::path dir;
    stdfs::file_time_type used;
    uint64_t bytes;
    bool pinned;
  };
  std::vector<Snap> snaps;
  SnapshotTrim out;
  std::error_code ec;
  for (const auto& repo : stdfs::directory_iterator(root, ec)) {
    if (!repo.is_directory(ec)) continue;
    for (const auto& commit : stdfs::directory_iterator(repo.path(), ec)) {
      if (!commit.is_directory(ec)) continue;
      Snap s{commit.path(), stdfs::last_write_time(commit.path(), ec), own_bytes(commit.path()),
             g_pins.contains(commit.path().string())};
      out.bytes_left += s.bytes;
      snaps.push_back(std::move(s));
    }
  }
  std::sort(snaps.begin(), snaps.end(), [](const Snap& a, const Snap& b) { return a.used < b.used; });
  for (const auto& s : snaps) {
    if (out.bytes_left <= limit) break;
    if (s.pinned) continue;
    std::error_code rm;
    stdfs::remove_all(s.dir, rm);
    if (rm) {
      log::warn("cannot remove model snapshot " + s.dir.string() + ": " + rm.message());
      continue;
    }
    out.bytes_left -= s.bytes;
    ++out.removed;
    stdfs::remove(s.dir.parent_path(), rm);  // the repo's folder, once empty (fails otherwise)
  }
  return out;
}

}  // namespace

SnapshotPin pin_model_snapshot(const Hub& hub, const std::string& dir) {
  SnapshotPin p;
  p.dir_ = dir;
  p.root_ = root_of(hub);
  p.limit_ = hub.config().model_snapshot_bytes;
  std::lock_guard lk(g_mu);
  ++g_pins[dir];
  std::error_code ec;
  stdfs::last_write_time(dir, stdfs::file_time_type::clock::now(), ec);  // recently used
  return p;
}

SnapshotPin::~SnapshotPin() { release(); }

SnapshotPin::SnapshotPin(SnapshotPin&& o) noexcept
    : dir_(std::move(o.dir_)), root_(std::move(o.root_)), limit_(o.limit_) {
  o.dir_.clear();
}

SnapshotPin& SnapshotPin::operator=(SnapshotPin&& o) noexcept {
  if (this != &o) {
    release();
    dir_ = std::move(o.dir_);
    root_ = std::move(o.root_);
    limit_ = o.limit_;
    o.dir_.clear();
  }
  return *this;
}

void SnapshotPin::release() {
  if (dir_.empty()) return;
  std::lock_guard lk(g_mu);
  auto it = g_pins.find(dir_);
  if (it != g_pins.end() && --it->second == 0) {
    g_pins.erase(it);
    trim_locked(root_, limit_);
  }
  dir_.clear();
}

SnapshotTrim trim_model_snapshots(const Hub& hub, uint64_t limit) {
  std::lock_guard lk(g_mu);
  return trim_locked(root_of(hub), limit);
}

}  // namespace hub::services
