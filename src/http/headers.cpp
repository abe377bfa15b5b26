#include "http/headers.h"

#include <algorithm>

#include "core/log.h"

namespace hub::http {

namespace {
constexpr size_t kMaxHeaderName = 256;
constexpr size_t kShortenedValue = 1024;  // what an over-long value is cut to when the block is too big

bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(char(c)) != std::string_view::npos;
}

// Cuts s to at most max bytes without splitting a UTF-8 sequence.
void cut_utf8(std::string& s, size_t max) {
  if (s.size() <= max) return;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
}

size_t field_bytes(const std::pair<std::string, std::string>& f) { return f.first.size() + f.second.size() + 4; }
}  // namespace

bool is_header_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxHeaderName) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

std::string clean_header_value(std::string_view value, size_t max) {
  std::string out;
  out.reserve(std::min(value.size(), max + 4));
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    // Obsolete line folding and bare CR/LF are how a value becomes a new field or a body.
    out += (c < 0x20 && c != '\t') || c == 0x7f ? ' ' : ch;
    if (out.size() > max + 4) break;  // enough to cut from; the rest is dropped anyway
  }
  size_t b = out.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  out.erase(0, b);
  cut_utf8(out, max);
  out.erase(out.find_last_not_of(" \t") + 1);
  return out;
}

void seal_response_headers(Headers& headers) {
  std::erase_if(headers, [](const auto& f) {
    if (is_header_name(f.first)) return false;
    log::warn("dropped a response header with an invalid name", {{"name", clean_header_value(f.first, 64)}});
    return true;
  });
  if (headers.size() > kMaxHeaderCount) {
    log::warn("dropped response headers past the limit", {{"count", std::to_string(headers.size())}});
    headers.resize(kMaxHeaderCount);
  }
  size_t total = 0;
  for (auto& f : headers) {
    f.second = clean_header_value(f.second);
    total += field_bytes(f);
  }
  // Still too big: shorten the longest values first, one at a time.
  while (total > kMaxHeaderBlock) {
    auto longest = std::max_element(headers.begin(), headers.end(),
                                    [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
    if (longest == headers.end() || longest->second.size() <= kShortenedValue) break;
    total -= longest->second.size();
    cut_utf8(longest->second, kShortenedValue);
    total += longest->second.size();
  }
  // Many fields of moderate size: the last ones go (they are the least essential by position,
  // and no response of ours comes near this).
  while (total > kMaxHeaderBlock && !headers.empty()) {
    total -= field_bytes(headers.back());
    headers.pop_back();
  }
  auto set = [&](std::string_view name, std::string_view value, bool override) {
    for (auto& [k, v] : headers)
      if (iequals(k, name)) {
        if (override) v = value;
        return;
      }
    headers.emplace_back(name, value);
  };
  set("X-Content-Type-Options", "nosniff", true);
  set("Content-Security-Policy", kDefaultCsp, false);
}

}  // namespace hub::http
