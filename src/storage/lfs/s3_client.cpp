#include "storage/lfs/s3_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <cstdlib>
#include <ctime>
#include <mutex>

#include "core/text.h"
#include "core/hash.h"

namespace hub::storage::lfs {
namespace {

std::string env_or(const char* name, std::string fallback = {}) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

std::string host_of(std::string_view endpoint) {
  size_t p = endpoint.find("://");
  return std::string(p == std::string_view::npos ? endpoint : endpoint.substr(p + 3));
}

// Between tags of a small XML reply; S3 replies are flat enough for this.
std::string xml_text(std::string_view xml, std::string_view tag) {
  std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  size_t a = xml.find(open);
  if (a == std::string_view::npos) return {};
  a += open.size();
  size_t b = xml.find(close, a);
  return b == std::string_view::npos ? std::string() : std::string(xml.substr(a, b - a));
}

struct Transfer {
  std::string_view body;
  size_t sent = 0;
  S3Response* resp = nullptr;
  size_t max_response_bytes = 0;
  bool overflow = false;
};

size_t on_read(char* buf, size_t size, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  size_t len = std::min(size * n, t->body.size() - t->sent);
  std::memcpy(buf, t->body.data() + t->sent, len);
  t->sent += len;
  return len;
}

size_t on_write(char* data, size_t size, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  size_t len = size * n;
  if (t->resp->body.size() + len > t->max_response_bytes) {
    t->overflow = true;
    return 0;  // aborts the transfer
  }
  t->resp->body.append(data, len);
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* ud) {
  auto* t = static_cast<Transfer*>(ud);
  std::string_view line(data, size * n);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    t->resp->headers.clear();  // a new response (after 100 Continue or a redirect)
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    t->resp->headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  return size * n;
}

}  // namespace

Result<S3Config> S3Config::parse(std::string_view url) {
  if (!url.starts_with("s3://")) return fail(Errc::invalid_argument, "S3 URL must start with s3://");
  url.remove_prefix(5);
  std::string_view query;
  if (size_t q = url.find('?'); q != std::string_view::npos) {
    query = url.substr(q + 1);
    url = url.substr(0, q);
  }
  S3Config c;
  std::string_view path;
  if (size_t slash = url.find('/'); slash != std::string_view::npos) {
    path = url.substr(slash + 1);
    url = url.substr(0, slash);
  }
  c.bucket = std::string(url);
  if (c.bucket.size() < 3 || c.bucket.size() > 63 ||
      c.bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") != std::string::npos)
    return fail(Errc::invalid_argument, "invalid S3 bucket name '" + c.bucket + "'");
  if (!path.empty()) {
    c.prefix = std::string(path);
    if (c.prefix.back() != '/') c.prefix += '/';
  }
  c.region = env_or("AWS_REGION", c.region);
  c.credentials.access_key_id = env_or("AWS_ACCESS_KEY_ID");
  c.credentials.secret_access_key = env_or("AWS_SECRET_ACCESS_KEY");
  c.credentials.session_token = env_or("AWS_SESSION_TOKEN");
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (kv.empty()) continue;
    size_t eq = kv.find('=');
    std::string_view key = kv.substr(0, eq);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : kv.substr(eq + 1));
    if (!value) return fail(Errc::invalid_argument, "bad %-escape in S3 URL parameter " + std::string(key));
    if (key == "endpoint") c.endpoint = *value;
    else if (key == "public_endpoint") c.public_endpoint = *value;
    else if (key == "region") c.region = *value;
    else if (key == "access_key") c.credentials.access_key_id = *value;
    else if (key == "secret_key") c.credentials.secret_access_key = *value;
    else if (key == "session_token") c.credentials.session_token = *value;
    else if (key == "spool_dir") c.spool_dir = *value;
    else if (key == "max_copy_size") {
      uint64_t v = 0;
      auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), v);
      if (ec != std::errc() || p != value->data() + value->size() || v > (uint64_t(5) << 30))
        return fail(Errc::invalid_argument, "max_copy_size must be at most 5 GiB");
      c.max_copy_size = v;
    }
    else if (key == "part_size") {
      uint64_t v = 0;
      auto [p, ec] = std::from_chars(value->data(), value->data() + value->size(), v);
      if (ec != std::errc() || p != value->data() + value->size() || v < (uint64_t(5) << 20) ||
          v > (uint64_t(5) << 30))
        return fail(Errc::invalid_argument, "part_size must be 5 MiB .. 5 GiB");
      c.part_size = v;
    } else {
      return fail(Errc::invalid_argument, "unknown S3 URL parameter '" + std::string(key) + "'");
    }
  }
  if (c.endpoint.empty()) c.endpoint = "https://s3." + c.region + ".amazonaws.com";
  while (c.endpoint.ends_with('/')) c.endpoint.pop_back();
  if (!c.endpoint.starts_with("http://") && !c.endpoint.starts_with("https://"))
    return fail(Errc::invalid_argument, "S3 endpoint must be http:// or https://");
  if (c.public_endpoint.empty()) c.public_endpoint = c.endpoint;
  if (c.spool_dir.empty()) c.spool_dir = env_or("TMPDIR", "/tmp");
  while (c.public_endpoint.ends_with('/')) c.public_endpoint.pop_back();
  if (c.credentials.access_key_id.empty() || c.credentials.secret_access_key.empty())
    return fail(Errc::invalid_argument,
                "S3 credentials missing: access_key/secret_key or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
  return c;
}

std::string S3Response::header(std::string_view name) const {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return h.value;
  return {};
}

std::string S3Response::error_code() const { return xml_text(body, "Code"); }

struct S3Client::Impl {
  std::mutex mu;
  std::vector<CURL*> idle;  // handles keep their connection cache between calls

  CURL* acquire() {
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        curl_easy_reset(h);
        return h;
      }
    }
    return curl_easy_init();
  }
  void release(CURL* h) {
    std::lock_guard lock(mu);
    if (idle.size() < 16) idle.push_back(h);
    else curl_easy_cleanup(h);
  }
  ~Impl() {
    for (CURL* h : idle) curl_easy_cleanup(h);
  }
};

S3Client::S3Client(S3Config config) : config_(std::move(config)), impl_(std::make_unique<Impl>()) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

S3Client::~S3Client() = default;

std::string S3Client::object_path(std::string_view key) const {
  std::string p = "/" + sigv4::uri_encode(config_.bucket, true);
  if (!key.empty()) p += "/" + sigv4::uri_encode(key, false);
  return p;
}

Result<S3Response> S3Client::send(const S3Call& call) {
  std::string date = sigv4::amz_date(std::time(nullptr));
  sigv4::Scope scope = sigv4::make_scope(date, config_.region, "s3");
  sigv4::Request req;
  req.method = call.method;
  req.canonical_uri = object_path(call.key);
  req.query = call.query;
  req.payload_hash = call.payload_hash ? *call.payload_hash : sha256_hex(call.body);
  req.headers = call.headers;
  req.headers.push_back({"host", host_of(config_.endpoint)});
  req.headers.push_back({"x-amz-date", date});
  req.headers.push_back({"x-amz-content-sha256", req.payload_hash});
  if (!config_.credentials.session_token.empty())
    req.headers.push_back({"x-amz-security-token", config_.credentials.session_token});
  std::string auth = sigv4::authorization_header(config_.credentials, date, scope, req);

  std::string url = config_.endpoint + req.canonical_uri;
  if (!req.query.empty()) url += "?" + sigv4::canonical_query_string(req.query);

  curl_slist* list = nullptr;
  bool has_content_type = false;
  for (const auto& h : req.headers) {
    if (iequals(h.name, "content-type")) has_content_type = true;
    list = curl_slist_append(list, (h.name + ": " + h.value).c_str());
  }
  list = curl_slist_append(list, ("Authorization: " + auth).c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  if (!has_content_type) list = curl_slist_append(list, "Content-Type:");

  S3Response resp;
  resp.body.reserve(std::min(call.reserve_response_bytes, call.max_response_bytes));
  Transfer t{call.body, 0, &resp, call.max_response_bytes, false};
  CURL* h = impl_->acquire();
  if (!h) {
    curl_slist_free_all(list);
    return fail(Errc::internal, "curl_easy_init failed");
  }
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  // Stalled transfers fail instead of hanging a worker: under 1 byte/s for 60 s.
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  if (call.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (call.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (call.method == "PUT") {
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &t);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, curl_off_t(call.body.size()));
  } else if (call.method == "POST") {
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    // Never NULL: curl would fall back to its default read callback (stdin).
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, call.body.empty() ? "" : call.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(call.body.size()));
  } else {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  CURLcode rc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
  curl_slist_free_all(list);
  impl_->release(h);
  if (t.overflow)
    return fail(Errc::too_large, "S3 " + call.method + " reply larger than " +
                                     std::to_string(call.max_response_bytes) + " bytes");
  if (rc != CURLE_OK)
    return fail(Errc::io, "S3 " + call.method + " " + url + ": " + curl_easy_strerror(rc));
  return resp;
}

std::string S3Client::presign(std::string_view method, std::string_view key,
                              int64_t expires_seconds,
                              const std::vector<sigv4::Header>& signed_headers) const {
  std::string date = sigv4::amz_date(std::time(nullptr));
  sigv4::Request req;
  req.method = std::string(method);
  req.canonical_uri = object_path(key);
  req.headers = signed_headers;
  req.headers.push_back({"host", host_of(config_.public_endpoint)});
  req.payload_hash = std::string(sigv4::kUnsignedPayload);
  std::string query = sigv4::presign_query(config_.credentials, date,
                                           sigv4::make_scope(date, config_.region, "s3"), req,
                                           expires_seconds);
  return config_.public_endpoint + req.canonical_uri + "?" + query;
}

Error S3Client::to_error(const S3Response& r, std::string_view what) {
  std::string code = r.error_code();
  std::string msg = "S3 " + std::string(what) + ": HTTP " + std::to_string(r.status) +
                    (code.empty() ? "" : " " + code);
  Errc e = r.status == 404 ? Errc::not_found
           : r.status == 403 ? Errc::forbidden
           : r.status == 412 ? Errc::precondition_failed
           : r.status == 416 ? Errc::invalid_argument
                             : Errc::io;
  // S3's own error code stays in the message; only a bad range is a kind callers branch on.
  return Error{e, msg, r.status == 416 ? Detail::RangeNotSatisfiable : Detail::none};
}

}  // namespace hub::storage::lfs
