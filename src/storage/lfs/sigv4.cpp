#include "storage/lfs/sigv4.h"

#include <algorithm>
#include <ctime>

#include "core/hash.h"

namespace hub::storage::lfs::sigv4 {
namespace {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

// Trim, then collapse runs of spaces to one (the spec's Trimall).
std::string trim_all(std::string_view v) {
  std::string out;
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// Headers grouped by lowercased name, in name order, values joined in the order given.
std::vector<std::pair<std::string, std::string>> grouped(const std::vector<Header>& headers) {
  std::vector<std::pair<std::string, std::string>> items;
  for (const auto& h : headers) items.emplace_back(to_lower(h.name), trim_all(h.value));
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [name, value] : items) {
    if (!out.empty() && out.back().first == name) {
      out.back().second += "," + value;
    } else {
      out.emplace_back(std::move(name), std::move(value));
    }
  }
  return out;
}

std::string hmac_raw(std::string_view key, std::string_view data) {
  auto mac = hmac_sha256(key, data);
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

}  // namespace

std::string amz_date(int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string uri_encode(std::string_view s, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (c == '/' && !encode_slash)) {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string canonical_query_string(const std::vector<QueryParam>& query) {
  std::vector<std::pair<std::string, std::string>> enc;
  enc.reserve(query.size());
  for (const auto& q : query) enc.emplace_back(uri_encode(q.name, true), uri_encode(q.value, true));
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [n, v] : enc) {
    if (!out.empty()) out += '&';
    out += n + "=" + v;
  }
  return out;
}

std::string canonical_headers(const std::vector<Header>& headers) {
  std::string out;
  for (const auto& [name, value] : grouped(headers)) out += name + ":" + value + "\n";
  return out;
}

std::string signed_headers(const std::vector<Header>& headers) {
  std::string out;
  for (const auto& [name, value] : grouped(headers)) {
    if (!out.empty()) out += ';';
    out += name;
  }
  return out;
}

std::string canonical_request(const Request& req) {
  return req.method + "\n" + req.canonical_uri + "\n" + canonical_query_string(req.query) + "\n" +
         canonical_headers(req.headers) + "\n" + signed_headers(req.headers) + "\n" +
         req.payload_hash;
}

std::string string_to_sign(std::string_view amz_date, const Scope& scope,
                           std::string_view canonical_request) {
  return std::string(kAlgorithm) + "\n" + std::string(amz_date) + "\n" + scope.str() + "\n" +
         sha256_hex(canonical_request);
}

std::array<uint8_t, 32> signing_key(std::string_view secret_access_key, const Scope& scope) {
  std::string k = hmac_raw("AWS4" + std::string(secret_access_key), scope.date);
  k = hmac_raw(k, scope.region);
  k = hmac_raw(k, scope.service);
  return hmac_sha256(k, "aws4_request");
}

std::string signature(std::string_view secret_access_key, const Scope& scope,
                      std::string_view string_to_sign) {
  auto key = signing_key(secret_access_key, scope);
  std::string_view key_view(reinterpret_cast<const char*>(key.data()), key.size());
  return hex_encode(hmac_sha256(key_view, string_to_sign));
}

std::string authorization_header(const Credentials& creds, std::string_view amz_date,
                                 const Scope& scope, const Request& req) {
  std::string sts = string_to_sign(amz_date, scope, canonical_request(req));
  return std::string(kAlgorithm) + " Credential=" + creds.access_key_id + "/" + scope.str() +
         ", SignedHeaders=" + signed_headers(req.headers) +
         ", Signature=" + signature(creds.secret_access_key, scope, sts);
}

std::string presign_query(const Credentials& creds, std::string_view amz_date, const Scope& scope,
                          Request req, int64_t expires_seconds) {
  req.query.push_back({"X-Amz-Algorithm", std::string(kAlgorithm)});
  req.query.push_back({"X-Amz-Credential", creds.access_key_id + "/" + scope.str()});
  req.query.push_back({"X-Amz-Date", std::string(amz_date)});
  req.query.push_back({"X-Amz-Expires", std::to_string(expires_seconds)});
  req.query.push_back({"X-Amz-SignedHeaders", signed_headers(req.headers)});
  if (!creds.session_token.empty())
    req.query.push_back({"X-Amz-Security-Token", creds.session_token});
  std::string query = canonical_query_string(req.query);
  std::string sts = string_to_sign(amz_date, scope, canonical_request(req));
  return query + "&X-Amz-Signature=" + signature(creds.secret_access_key, scope, sts);
}

}  // namespace hub::storage::lfs::sigv4
