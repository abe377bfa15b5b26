// S3Store: the scale-out BlobStore on any S3-compatible server (path-style addressing), over
// S3Client (libcurl + our SigV4). Objects live at <prefix><oid> in the bucket.
//
// Verified puts without a server-side copy. The writer keeps at most one part in memory
// (part_size, default 16 MiB, raised so a known size fits in 10,000 parts).
// - oid known at begin_put (the LFS upload path): bytes stream as a multipart upload to the
//   final key. Parts stay invisible until CompleteMultipartUpload, which commit() sends only
//   after the streamed sha256/size matched; on mismatch, abort() or a destroyed writer sends
//   AbortMultipartUpload, so nothing becomes visible.
// - oid unknown: bytes spool to a temp file (spool_dir, default $TMPDIR) and are uploaded at
//   commit(), after the check, the same way.
// An object smaller than one part goes as one PUT at commit() with x-amz-content-sha256 = the
// oid, so S3 itself re-verifies the bytes it stores. Memory stays bounded by one part
// whatever the object size.
//
// Reads: stat via HEAD; a reader fetches its range in windows of up to 8 MiB with ranged GETs.
// Thread-safe (see BlobStore). Presigned GET/PUT URLs go to the config's public_endpoint.
#pragma once

#include <memory>
#include <string>

#include "storage/lfs/blob_store.h"
#include "storage/lfs/s3_client.h"

namespace hub::storage::lfs {

class S3Store final : public BlobStore {
 public:
  static Result<std::unique_ptr<S3Store>> open(std::string_view url);  // see s3_client.h
  explicit S3Store(S3Config config);

  std::string_view kind() const override { return "s3"; }
  Result<std::unique_ptr<BlobWriter>> begin_put(const PutOptions& opts = {}) override;
  Result<std::unique_ptr<BlobReader>> get(std::string_view oid, ByteRange range = {}) override;
  Result<uint64_t> stat(std::string_view oid) override;
  Result<void> remove(std::string_view oid) override;
  std::optional<std::string> presign_get(std::string_view oid, std::chrono::seconds ttl) override;
  std::optional<std::string> presign_put(std::string_view oid, uint64_t size,
                                         std::chrono::seconds ttl, std::string_view scope) override;
  // Staged at <prefix>incoming/<scope>/<oid>. Verification reads the staged bytes once (sha256); then
  // a server-side CopyObject publishes them (up to max_copy_size, S3's 5 GiB copy limit), or,
  // above it, they are streamed through a verified multipart writer.
  Result<void> finalize_presigned_put(std::string_view oid, uint64_t size,
                                      std::string_view scope) override;

  // Creates the bucket if it does not exist (dev setups, tests). Idempotent.
  Result<void> ensure_bucket();
  std::string key_of(std::string_view oid) const { return client_.config().prefix + std::string(oid); }
  std::string staging_key_of(std::string_view oid, std::string_view scope) const {
    return client_.config().prefix + "incoming/" + std::string(scope) + "/" + std::string(oid);
  }
  // A staging scope is one path segment of safe characters.
  static bool is_valid_scope(std::string_view scope);
  S3Client& client() { return client_; }

 private:
  S3Client client_;
};

}  // namespace hub::storage::lfs
