// BlobStore: the content-addressed large-file store behind Git LFS, and its streaming
// writer/reader. Objects are named by sha256 oid (oid.h) and become visible only after the
// bytes streamed into a BlobWriter hash to the oid and match the size given to commit().
//
// Thread safety: a BlobStore is safe to share between threads, including concurrent puts of
// the same oid (each writer has its own temp; the last rename/complete wins and the content is
// identical). A BlobWriter or BlobReader is used by one thread at a time and must not outlive
// the store that made it.
// Errors: invalid_argument (bad oid, Detail::InvalidLfsOid; bad range, Detail::RangeNotSatisfiable),
// not_found, corrupt (commit: "SizeMismatch" / "HashMismatch"), too_large, io.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/hash.h"
#include "core/result.h"
#include "storage/lfs/oid.h"

namespace hub::storage::lfs {

// Bytes [offset, offset + length) of an object; no length = to the end. A length running past
// the end is clipped; an offset past the end is RangeNotSatisfiable (offset == size is empty).
struct ByteRange {
  uint64_t offset = 0;
  std::optional<uint64_t> length;
};

// An open file region the HTTP layer may sendfile() from. fd stays valid while the reader that
// returned it lives; offset/length are already the requested range.
struct FileRegion {
  int fd = -1;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// What a put may know up front. The LFS batch API knows both; knowing the oid lets S3 stream
// straight to the object's key instead of spooling.
struct PutOptions {
  std::optional<std::string> oid;  // commit() must then name this oid
  std::optional<uint64_t> size;    // writes past it fail early (too_large)
};

// A streamed put. write() any number of times, then commit() or abort(). The destructor of an
// uncommitted writer aborts: nothing becomes visible. After commit()/abort() (successful or
// not) the writer is finished and write() fails.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  Result<void> write(std::span<const std::byte> data);
  Result<void> write(std::string_view data) { return write(std::as_bytes(std::span(data))); }
  // Verifies that the streamed bytes have this sha256 and size, then publishes the object.
  // On mismatch the upload is discarded (nothing visible) and corrupt is returned.
  Result<void> commit(std::string_view expected_oid, uint64_t expected_size);
  void abort();
  uint64_t bytes_written() const { return bytes_written_; }

 protected:
  BlobWriter() = default;
  explicit BlobWriter(const PutOptions& opts) : expected_(opts) {}
  virtual Result<void> do_write(std::span<const std::byte> data) = 0;
  // Called with the streamed digest already compared by the base; publish or fail.
  virtual Result<void> do_commit(std::string_view oid, uint64_t size) = 0;
  // Discard everything; must be safe to call more than once. Derived destructors call it.
  virtual void do_abort() = 0;
  bool finished() const { return finished_; }

 private:
  Sha256 hasher_;  // over every byte written, compared at commit
  uint64_t bytes_written_ = 0;
  PutOptions expected_;
  bool finished_ = false;
};

// A streamed get of one range. read() returns 0 at the end of the range.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual Result<size_t> read(std::span<std::byte> out) = 0;
  Result<size_t> read(char* out, size_t n) { return read(std::as_writable_bytes(std::span(out, n))); }
  virtual uint64_t object_size() const = 0;   // the whole object
  virtual uint64_t range_offset() const = 0;  // the range being served
  virtual uint64_t range_length() const = 0;
  // Local disk only: the open file for zero-copy sendfile. Reading through read() and using
  // the region are independent (read() uses pread).
  virtual std::optional<FileRegion> file_region() const { return std::nullopt; }
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual std::string_view kind() const = 0;  // "local" or "s3"

  // invalid_argument if opts.oid is given and invalid.
  virtual Result<std::unique_ptr<BlobWriter>> begin_put(const PutOptions& opts = {}) = 0;
  virtual Result<std::unique_ptr<BlobReader>> get(std::string_view oid, ByteRange range = {}) = 0;
  // The object's size; not_found if absent.
  virtual Result<uint64_t> stat(std::string_view oid) = 0;
  virtual Result<bool> exists(std::string_view oid);
  // not_found if absent.
  virtual Result<void> remove(std::string_view oid) = 0;

  // Direct-to-storage URLs (S3 only; others return nullopt, as does an invalid oid).
  virtual std::optional<std::string> presign_get(std::string_view oid, std::chrono::seconds ttl);
  // The PUT must carry Content-Length: size (it is signed). The bytes land in a staging area,
  // not under the oid: call finalize_presigned_put (e.g. from the LFS verify action) to check
  // their sha256/size and publish them. scope names who may publish the staged bytes (the
  // repo the upload was granted for): uploads of one oid under different scopes never meet,
  // so nobody can publish, or overwrite, bytes someone else staged. It must be a non-empty
  // [A-Za-z0-9_-] word (nullopt otherwise).
  virtual std::optional<std::string> presign_put(std::string_view oid, uint64_t size,
                                                 std::chrono::seconds ttl, std::string_view scope);
  // Publishes a presigned upload staged under scope after verifying it (the staged copy is
  // removed either way once read): not_found if nothing was uploaded there, corrupt on
  // mismatch. unsupported where presign_put is.
  virtual Result<void> finalize_presigned_put(std::string_view oid, uint64_t size,
                                              std::string_view scope);
};

// Convenience for small objects and tests: begin_put + write + commit.
Result<void> put_blob(BlobStore& store, std::string_view oid, std::string_view data);
// Reads a whole range into memory; too_large past max_bytes.
Result<std::string> read_blob(BlobStore& store, std::string_view oid, ByteRange range = {},
                              size_t max_bytes = size_t(64) << 20);

// Opens the store named by spec: "s3://bucket?endpoint=…" (s3_store.h) or a local data
// directory ("file:///srv/hub" or a plain path; objects in <dir>/lfs, temps in <dir>/tmp).
// The local store removes leftover temps when opened.
Result<std::unique_ptr<BlobStore>> open_blob_store(std::string_view spec);

}  // namespace hub::storage::lfs
