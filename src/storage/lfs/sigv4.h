// AWS Signature Version 4, written from the published spec as pure functions: canonical
// request, string to sign, signing key, Authorization header and presigned query strings.
// No I/O and no clock: callers pass the x-amz-date, so every step is testable against the AWS
// test-suite vectors. Thread-safe.
//
// S3 note: S3 signs the path exactly as sent (each segment URI-encoded once, no normalization);
// callers pass that encoded path as canonical_uri. Other services' path normalization is not
// implemented (not needed for S3).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hub::storage::lfs::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // optional (temporary credentials)
};

struct Header {
  std::string name;
  std::string value;
};

struct QueryParam {  // decoded; canonical_query_string encodes
  std::string name;
  std::string value;
};

struct Request {
  std::string method;
  std::string canonical_uri = "/";  // already encoded as sent, e.g. "/bucket/lfs/ab%20c"
  std::vector<QueryParam> query;
  std::vector<Header> headers;      // every header to sign; host (and x-amz-date for header auth)
  std::string payload_hash = std::string(kEmptyPayloadHash);  // hex sha256 or UNSIGNED-PAYLOAD
};

struct Scope {
  std::string date;     // YYYYMMDD, the first 8 chars of the x-amz-date
  std::string region;   // us-east-1
  std::string service;  // s3
  std::string str() const { return date + "/" + region + "/" + service + "/aws4_request"; }
};

// "YYYYMMDDTHHMMSSZ" for a Unix time.
std::string amz_date(int64_t unix_seconds);
inline Scope make_scope(std::string_view amz_date, std::string region, std::string service) {
  return Scope{std::string(amz_date.substr(0, 8)), std::move(region), std::move(service)};
}

// RFC 3986 encoding as SigV4 wants it: A-Z a-z 0-9 - . _ ~ kept, the rest %XX (uppercase hex);
// '/' kept unless encode_slash.
std::string uri_encode(std::string_view s, bool encode_slash);
// "a=1&b=2": names and values encoded, sorted by name then value; empty values keep "name=".
std::string canonical_query_string(const std::vector<QueryParam>& query);
// Lowercased names, values trimmed with inner runs of spaces collapsed, sorted by name,
// repeated names joined with ',' in order; "name:value\n" per header.
std::string canonical_headers(const std::vector<Header>& headers);
std::string signed_headers(const std::vector<Header>& headers);  // "host;x-amz-date"

std::string canonical_request(const Request& req);
std::string string_to_sign(std::string_view amz_date, const Scope& scope,
                           std::string_view canonical_request);
std::array<uint8_t, 32> signing_key(std::string_view secret_access_key, const Scope& scope);
std::string signature(std::string_view secret_access_key, const Scope& scope,
                      std::string_view string_to_sign);  // hex

// "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request,
//  SignedHeaders=host;x-amz-date, Signature=…" (one line). req.headers must already hold
// x-amz-date (and x-amz-security-token / x-amz-content-sha256 when used).
std::string authorization_header(const Credentials& creds, std::string_view amz_date,
                                 const Scope& scope, const Request& req);

// Query-string auth: adds X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders (and
// -Security-Token) to req.query, signs, and returns the full canonical query string ending in
// "&X-Amz-Signature=…", ready to append after '?'. req.payload_hash is usually UNSIGNED-PAYLOAD
// for S3. expires_seconds: 1..604800.
std::string presign_query(const Credentials& creds, std::string_view amz_date, const Scope& scope,
                          Request req, int64_t expires_seconds);

}  // namespace hub::storage::lfs::sigv4
