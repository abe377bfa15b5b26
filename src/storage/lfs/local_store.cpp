#include "storage/lfs/local_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/fs.h"
#include "core/hash.h"
#include "core/log.h"

namespace hub::storage::lfs {
namespace {

constexpr std::string_view kTempPrefix = "lfs-";
constexpr std::string_view kTempSuffix = ".part";

std::unexpected<Error> io_error(const std::string& what, int err) {
  return fail(err == ENOENT ? Errc::not_found : err == ENOSPC ? Errc::too_large : Errc::io,
              what + ": " + std::strerror(err));
}

std::string parent_dir(const std::string& path) { return path.substr(0, path.rfind('/')); }

class LocalWriter final : public BlobWriter {
 public:
  LocalWriter(std::string objects_dir, std::string tmp_path, int fd,
              const PutOptions& opts)
      : BlobWriter(opts),
        objects_dir_(std::move(objects_dir)),
        tmp_path_(std::move(tmp_path)),
        fd_(fd) {}
  ~LocalWriter() override { do_abort(); }

 protected:
  Result<void> do_write(std::span<const std::byte> data) override {
    const std::byte* p = data.data();
    size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error(tmp_path_, errno);
      }
      p += n;
      left -= size_t(n);
    }
    written_ += data.size();
    // Write back each full window as soon as it is written, and wait for the one before it:
    // the disk works while the network delivers (commit's fsync then has little left) and
    // dirty pages stay bounded instead of piling up for one long fsync at the end.
    while (written_ - flushed_ >= kFlushWindow) {
      ::sync_file_range(fd_, off_t(flushed_), off_t(kFlushWindow), SYNC_FILE_RANGE_WRITE);
      if (flushed_ >= kFlushWindow)
        ::sync_file_range(fd_, off_t(flushed_ - kFlushWindow), off_t(kFlushWindow),
                          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
      flushed_ += kFlushWindow;
    }
    return {};
  }

  Result<void> do_commit(std::string_view oid, uint64_t) override {
    // Durable before visible: data reaches the disk before the rename publishes it, and the
    // directory entry is synced so the object survives a crash right after we answer.
    if (::fsync(fd_) != 0) return io_error(tmp_path_, errno);
    ::close(fd_);
    fd_ = -1;
    std::string dest = objects_dir_ + "/" + oid_shard_path(oid);
    std::string dir = parent_dir(dest);
    if (auto r = fs::make_dirs(dir); !r) return r;
    if (::rename(tmp_path_.c_str(), dest.c_str()) != 0) return io_error(dest, errno);
    tmp_path_.clear();
    fs::fsync_dir(dir);
    return {};
  }

  void do_abort() override {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    if (!tmp_path_.empty()) {
      ::unlink(tmp_path_.c_str());
      tmp_path_.clear();
    }
  }

 private:
  std::string objects_dir_;  // a copy, so a writer does not depend on the store object
  std::string tmp_path_;
  int fd_;
  static constexpr uint64_t kFlushWindow = uint64_t(8) << 20;
  uint64_t written_ = 0, flushed_ = 0;
};

class LocalReader final : public BlobReader {
 public:
  LocalReader(int fd, uint64_t size, uint64_t offset, uint64_t length)
      : fd_(fd), size_(size), offset_(offset), length_(length) {}
  ~LocalReader() override { ::close(fd_); }

  Result<size_t> read(std::span<std::byte> out) override {
    uint64_t left = length_ - consumed_;
    size_t want = size_t(std::min<uint64_t>(left, out.size()));
    while (want > 0) {
      ssize_t n = ::pread(fd_, out.data(), want, off_t(offset_ + consumed_));
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error("pread", errno);
      }
      if (n == 0) return fail(Errc::io, "blob file shorter than its recorded size");
      consumed_ += uint64_t(n);
      return size_t(n);
    }
    return size_t(0);
  }
  uint64_t object_size() const override { return size_; }
  uint64_t range_offset() const override { return offset_; }
  uint64_t range_length() const override { return length_; }
  std::optional<FileRegion> file_region() const override {
    return FileRegion{fd_, offset_, length_};
  }

 private:
  int fd_;
  uint64_t size_, offset_, length_;
  uint64_t consumed_ = 0;
};

}  // namespace

Result<std::unique_ptr<LocalStore>> LocalStore::open(std::string root) {
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  std::unique_ptr<LocalStore> store(new LocalStore(std::move(root)));
  if (auto r = fs::make_dirs(store->root_ + "/lfs"); !r) return std::unexpected(r.error());
  if (auto r = fs::make_dirs(store->tmp_dir()); !r) return std::unexpected(r.error());
  return store;
}

Result<std::string> LocalStore::object_path(std::string_view oid) const {
  if (auto r = check_oid(oid); !r) return std::unexpected(r.error());
  return root_ + "/lfs/" + oid_shard_path(oid);
}

Result<std::unique_ptr<BlobWriter>> LocalStore::begin_put(const PutOptions& opts) {
  if (opts.oid)
    if (auto r = check_oid(*opts.oid); !r) return std::unexpected(r.error());
  std::string path = tmp_dir() + "/" + std::string(kTempPrefix) + hex_encode(random_bytes(12)) +
                     std::string(kTempSuffix);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return io_error(path, errno);
  // Held until the writer closes the fd (or its process dies): cleanup_temps skips locked temps,
  // so another process opening the store (a CLI command beside `serve`) cannot remove a live
  // upload, while a crashed upload's temp is unlocked and swept at the next start.
  (void)::flock(fd, LOCK_EX | LOCK_NB);
  return std::unique_ptr<BlobWriter>(new LocalWriter(root_ + "/lfs", std::move(path), fd, opts));
}

Result<std::unique_ptr<BlobReader>> LocalStore::get(std::string_view oid, ByteRange range) {
  HUB_TRY(path, object_path(oid));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return fail(Errc::not_found, "LFS object not found: " + std::string(oid));
    return io_error(path, errno);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return io_error(path, e);
  }
  uint64_t size = uint64_t(st.st_size);
  if (range.offset > size) {
    ::close(fd);
    return fail(Errc::invalid_argument,
                "range starts at " + std::to_string(range.offset) + " past the object's " +
                    std::to_string(size) + " bytes",
                Detail::RangeNotSatisfiable);
  }
  uint64_t length = size - range.offset;
  if (range.length) length = std::min(length, *range.length);
  return std::unique_ptr<BlobReader>(new LocalReader(fd, size, range.offset, length));
}

Result<uint64_t> LocalStore::stat(std::string_view oid) {
  HUB_TRY(path, object_path(oid));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return fail(Errc::not_found, "LFS object not found: " + std::string(oid));
    return io_error(path, errno);
  }
  return uint64_t(st.st_size);
}

Result<void> LocalStore::remove(std::string_view oid) {
  HUB_TRY(path, object_path(oid));
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return fail(Errc::not_found, "LFS object not found: " + std::string(oid));
    return io_error(path, errno);
  }
  fs::fsync_dir(parent_dir(path));
  return {};
}

size_t LocalStore::cleanup_temps(std::chrono::seconds min_age) {
  namespace stdfs = std::filesystem;
  size_t removed = 0;
  std::error_code ec;
  auto now = stdfs::file_time_type::clock::now();
  for (stdfs::directory_iterator it(tmp_dir(), ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (!name.starts_with(kTempPrefix) || !name.ends_with(kTempSuffix)) continue;
    std::error_code ec2;
    if (!it->is_regular_file(ec2)) continue;
    auto mtime = stdfs::last_write_time(it->path(), ec2);
    if (ec2 || now - mtime < min_age) continue;
    int fd = ::open(it->path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    bool in_use = ::flock(fd, LOCK_EX | LOCK_NB) != 0;  // a live writer holds it (see begin_put)
    if (!in_use && stdfs::remove(it->path(), ec2)) ++removed;
    ::close(fd);
  }
  if (removed > 0) log::info("lfs: removed leftover upload temps", {{"count", std::to_string(removed)}});
  return removed;
}

}  // namespace hub::storage::lfs
