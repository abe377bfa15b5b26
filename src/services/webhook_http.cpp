#include "services/webhook_http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdlib>
#include <cctype>
#include <cstring>
#include <mutex>


namespace hub::services {

namespace {
bool public_v4(uint32_t a) {  // host byte order
  auto in = [&](uint32_t net, int bits) { return bits == 0 || (a >> (32 - bits)) == (net >> (32 - bits)); };
  return !(in(0x00000000, 8) ||    // 0.0.0.0/8 "this network"
           in(0x0A000000, 8) ||    // 10/8
           in(0x64400000, 10) ||   // 100.64/10 CGNAT
           in(0x7F000000, 8) ||    // loopback
           in(0xA9FE0000, 16) ||   // link-local (cloud metadata 169.254.169.254)
           in(0xAC100000, 12) ||   // 172.16/12
           in(0xC0000000, 24) ||   // 192.0.0/24 IETF
           in(0xC0000200, 24) ||   // TEST-NET-1
           in(0xC0A80000, 16) ||   // 192.168/16
           in(0xC6120000, 15) ||   // 198.18/15 benchmarking
           in(0xC6336400, 24) ||   // TEST-NET-2
           in(0xCB007100, 24) ||   // TEST-NET-3
           in(0xE0000000, 4) ||    // multicast
           in(0xF0000000, 4));     // reserved + broadcast
}

bool public_v6(const uint8_t* b) {
  static const uint8_t zero[16] = {0};
  if (std::memcmp(b, zero, 15) == 0 && (b[15] == 0 || b[15] == 1)) return false;  // :: and ::1
  auto v4_at = [&](int off) { return (uint32_t(b[off]) << 24) | (uint32_t(b[off + 1]) << 16) | (uint32_t(b[off + 2]) << 8) | b[off + 3]; };
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, mapped, 12) == 0) return public_v4(v4_at(12));           // ::ffff:a.b.c.d
  if (std::memcmp(b, zero, 12) == 0) return false;                             // ::a.b.c.d (deprecated)
  static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, nat64, 12) == 0) return public_v4(v4_at(12));            // 64:ff9b::/96
  if (b[0] == 0x20 && b[1] == 0x02) return public_v4(v4_at(2));               // 6to4 2002::/16
  if ((b[0] & 0xfe) == 0xfc) return false;                                     // fc00::/7 ULA
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return false;                     // fe80::/10 link-local
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return false;                     // fec0::/10 site-local
  if (b[0] == 0xff) return false;                                              // multicast
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) return false;  // documentation
  return true;
}

struct Guard {
  bool allow_private = false;
  std::string refused;  // the address refused, if any
};

curl_socket_t open_socket(void* clientp, curlsocktype purpose, struct curl_sockaddr* a) {
  auto* g = static_cast<Guard*>(clientp);
  if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKET_BAD;
  if (!g->allow_private && !is_public_address(&a->addr)) {
    char text[INET6_ADDRSTRLEN] = "?";
    if (a->family == AF_INET)
      inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&a->addr)->sin_addr, text, sizeof text);
    else if (a->family == AF_INET6)
      inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&a->addr)->sin6_addr, text, sizeof text);
    g->refused = text;
    return CURL_SOCKET_BAD;
  }
  return ::socket(a->family, a->socktype, a->protocol);
}

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

std::once_flag g_curl_init;
}  // namespace

bool is_public_address(const sockaddr* addr) {
  if (addr->sa_family == AF_INET)
    return public_v4(ntohl(reinterpret_cast<const sockaddr_in*>(addr)->sin_addr.s_addr));
  if (addr->sa_family == AF_INET6) return public_v6(reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr.s6_addr);
  return false;
}

bool is_public_ip_text(std::string_view ip) {
  std::string s(ip);
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  if (inet_pton(AF_INET, s.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    return is_public_address(reinterpret_cast<sockaddr*>(&v4));
  }
  if (inet_pton(AF_INET6, s.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    return is_public_address(reinterpret_cast<sockaddr*>(&v6));
  }
  return false;
}

bool webhooks_allow_private() {
  const char* v = std::getenv("HUBD_WEBHOOKS_ALLOW_PRIVATE");
  return v && std::string_view(v) == "1";
}

Result<void> check_webhook_url(std::string_view url, bool allow_private) {
  if (url.size() > 2048) return fail(Errc::invalid_argument, "Webhook URL is too long (limit 2048 bytes)");
  std::string_view rest;
  if (url.starts_with("http://")) rest = url.substr(7);
  else if (url.starts_with("https://")) rest = url.substr(8);
  else return fail(Errc::invalid_argument, "Webhook URL must start with http:// or https://");
  for (char c : url)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return fail(Errc::invalid_argument, "Webhook URL must not contain spaces or control characters");
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos)
    return fail(Errc::invalid_argument, "Webhook URL must not contain credentials");
  std::string_view host = authority;
  if (host.starts_with("[")) {
    auto end = host.find(']');
    if (end == std::string_view::npos) return fail(Errc::invalid_argument, "Webhook URL has a malformed host");
    host = host.substr(1, end - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos) {
    host = host.substr(0, colon);
  }
  if (host.empty()) return fail(Errc::invalid_argument, "Webhook URL has no host");
  if (allow_private) return {};
  std::string lower(host);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  while (!lower.empty() && lower.back() == '.') lower.pop_back();
  bool literal = is_public_ip_text(lower) || lower.find_first_not_of("0123456789.") == std::string::npos ||
                 lower.find(':') != std::string::npos;
  if (lower == "localhost" || lower.ends_with(".localhost") || (literal && !is_public_ip_text(lower)))
    return fail(Errc::invalid_argument, "Webhook URL must not target a loopback, private or link-local address");
  return {};
}

PostResult post_json(const std::string& url, const std::string& body, const std::vector<std::string>& headers,
                     std::chrono::milliseconds timeout, bool allow_private) {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  PostResult out;
  CURL* c = curl_easy_init();
  if (!c) {
    out.error = "cannot create an HTTP client";
    return out;
  }
  Guard guard{allow_private, ""};
  curl_slist* hs = nullptr;
  hs = curl_slist_append(hs, "Content-Type: application/json");
  hs = curl_slist_append(hs, "Expect:");
  for (auto& h : headers) hs = curl_slist_append(hs, h.c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // never an environment proxy: the check is on the real target
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, long(timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, long(std::min<int64_t>(timeout.count(), 5000)));
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &guard);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "hubd-webhooks/1");
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  CURLcode rc = curl_easy_perform(c);
  if (!guard.refused.empty()) {
    out.refused = true;
    out.error = "refused: " + guard.refused +
                " is a loopback, private or link-local address (HUBD_WEBHOOKS_ALLOW_PRIVATE=1 allows it)";
  } else if (rc != CURLE_OK) {
    out.error = curl_easy_strerror(rc);
  } else {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  }
  curl_slist_free_all(hs);
  curl_easy_cleanup(c);
  return out;
}

}  // namespace hub::services
