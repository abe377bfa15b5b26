// LocalStore: the embedded-default BlobStore on local disk.
// Layout: <root>/lfs/{oid[0:2]}/{oid[2:4]}/{oid}; uploads stream to <root>/tmp/lfs-<random>.part
// (same filesystem), and commit = fsync file, rename into place, fsync the directory, so a crash
// never leaves a partial object visible. Readers use pread and expose the fd for sendfile.
// Thread-safe: no shared mutable state beyond the filesystem; concurrent puts of one oid each
// rename their own verified temp, last one wins with identical content.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "storage/lfs/blob_store.h"

namespace hub::storage::lfs {

class LocalStore final : public BlobStore {
 public:
  // Creates <root>/lfs and <root>/tmp if needed.
  static Result<std::unique_ptr<LocalStore>> open(std::string root);

  std::string_view kind() const override { return "local"; }
  Result<std::unique_ptr<BlobWriter>> begin_put(const PutOptions& opts = {}) override;
  Result<std::unique_ptr<BlobReader>> get(std::string_view oid, ByteRange range = {}) override;
  Result<uint64_t> stat(std::string_view oid) override;
  Result<void> remove(std::string_view oid) override;

  // Removes this store's temp files (tmp/lfs-*.part) last modified at least min_age ago; other
  // files in tmp/ are left alone, and so are temps a live writer holds (each writer keeps an
  // flock on its temp, released when it finishes or its process dies), so sweeping at open
  // (open_blob_store, min_age 0) is safe even while another process is uploading.
  // Returns how many were removed.
  size_t cleanup_temps(std::chrono::seconds min_age = std::chrono::seconds(0));

  // Where an object lives (whether or not it exists); invalid_argument for a bad oid.
  Result<std::string> object_path(std::string_view oid) const;
  const std::string& root() const { return root_; }
  std::string tmp_dir() const { return root_ + "/tmp"; }

 private:
  explicit LocalStore(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

}  // namespace hub::storage::lfs
