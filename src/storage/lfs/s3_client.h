// S3Client: signed S3 REST calls (path-style) over libcurl, plus presigned URLs. libcurl stays
// behind a pimpl. Config comes from a URL:
//   s3://bucket[/prefix]?endpoint=http://127.0.0.1:9000&region=us-east-1
//        &access_key=…&secret_key=…[&session_token=…][&public_endpoint=…][&part_size=…]
//        [&spool_dir=/path][&max_copy_size=…]
// Missing keys fall back to AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN /
// AWS_REGION. Parameter values are %-decoded ('+' stays '+', secrets often hold one).
// Thread-safe: curl handles come from an internal pool (connections are reused); each call
// uses its own handle.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/lfs/sigv4.h"

namespace hub::storage::lfs {

struct S3Config {
  std::string bucket;
  std::string endpoint;         // scheme://host[:port], no trailing slash
  std::string public_endpoint;  // what presigned URLs use (clients may see another name)
  std::string region = "us-east-1";
  sigv4::Credentials credentials;
  std::string prefix = "lfs/";  // key = prefix + oid
  uint64_t part_size = uint64_t(16) << 20;
  std::string spool_dir;        // temp files for puts whose oid is unknown; default $TMPDIR
  uint64_t max_copy_size = uint64_t(5) << 30;  // CopyObject limit (tests lower it)

  static Result<S3Config> parse(std::string_view url);
};

struct S3Response {
  long status = 0;
  std::string body;  // capped at the call's max_response_bytes
  std::vector<sigv4::Header> headers;
  // Case-insensitive lookup; empty if absent.
  std::string header(std::string_view name) const;
  // The <Code> of an S3 XML error body, if any.
  std::string error_code() const;
};

struct S3Call {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
  std::string key;             // object key, unencoded; empty = the bucket itself
  std::vector<sigv4::QueryParam> query;
  std::vector<sigv4::Header> headers;  // extra headers, all signed (Range, Content-Type, …)
  std::string_view body;
  std::optional<std::string> payload_hash;  // default: sha256 of body
  size_t max_response_bytes = size_t(1) << 20;
  size_t reserve_response_bytes = 0;  // known reply size (ranged GET): one allocation, no regrowth
};

class S3Client {
 public:
  explicit S3Client(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const S3Config& config() const { return config_; }

  // Sends one signed request. Transport failures are io errors; any HTTP status is returned.
  Result<S3Response> send(const S3Call& call);

  // A presigned URL on public_endpoint. signed_headers (besides host) must be sent verbatim.
  std::string presign(std::string_view method, std::string_view key, int64_t expires_seconds,
                      const std::vector<sigv4::Header>& signed_headers = {}) const;

  // "/bucket/key" with the key URI-encoded once ('/' kept), as sent and as signed.
  std::string object_path(std::string_view key) const;

  // Maps a non-2xx response to an Error (404 not_found, 403 forbidden, 412 precondition, else io).
  static Error to_error(const S3Response& r, std::string_view what);

 private:
  struct Impl;
  S3Config config_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::storage::lfs
