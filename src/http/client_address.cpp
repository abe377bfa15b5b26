#include "http/client_address.h"

#include <charconv>
#include <optional>

namespace hub::http {

namespace ip = boost::asio::ip;

namespace {

ip::address_v6 as_v6(const ip::address& a) {
  return a.is_v4() ? ip::make_address_v6(ip::v4_mapped, a.to_v4()) : a.to_v6();
}

bool same_prefix(const ip::address_v6& a, const ip::address_v6& b, unsigned prefix) {
  auto x = a.to_bytes(), y = b.to_bytes();
  for (unsigned i = 0; i < 16 && prefix > 0; ++i, prefix = prefix >= 8 ? prefix - 8 : 0) {
    unsigned bits = std::min(prefix, 8u);
    uint8_t mask = uint8_t(0xFF << (8 - bits));
    if ((x[i] & mask) != (y[i] & mask)) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<ip::address> parse_ip(std::string_view s) {
  s = trim(s);
  // "[v6]" and "[v6]:port" as some proxies write them; "v4:port" likewise.
  if (s.starts_with('[')) {
    auto close = s.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    s = s.substr(1, close - 1);
  } else if (auto colon = s.find(':'); colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos) {
    s = s.substr(0, colon);
  }
  boost::system::error_code ec;
  auto a = ip::make_address(std::string(s), ec);
  if (ec) return std::nullopt;
  return a;
}

}  // namespace

std::string address_key(const ip::address& a) {
  if (a.is_v6() && !a.to_v6().is_v4_mapped()) {
    auto b = a.to_v6().to_bytes();
    for (size_t i = 8; i < 16; ++i) b[i] = 0;
    return ip::address_v6(b).to_string() + "/64";
  }
  if (a.is_v6()) return ip::make_address_v4(ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

Result<TrustedProxies> TrustedProxies::parse(std::string_view list) {
  TrustedProxies out;
  size_t i = 0;
  while (i < list.size()) {
    size_t j = list.find_first_of(", \t", i);
    if (j == std::string_view::npos) j = list.size();
    std::string_view entry = list.substr(i, j - i);
    i = j + 1;
    if (entry.empty()) continue;
    std::string_view addr = entry;
    std::optional<unsigned> prefix;
    if (auto slash = entry.find('/'); slash != std::string_view::npos) {
      addr = entry.substr(0, slash);
      unsigned p = 0;
      auto bits = entry.substr(slash + 1);
      auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), p);
      if (ec != std::errc() || end != bits.data() + bits.size() || bits.empty())
        return fail(Errc::invalid_argument, "trusted proxies: bad prefix in '" + std::string(entry) + "'");
      prefix = p;
    }
    boost::system::error_code ec;
    auto a = ip::make_address(std::string(addr), ec);
    if (ec) return fail(Errc::invalid_argument, "trusted proxies: '" + std::string(entry) + "' is not an address");
    unsigned max = a.is_v4() ? 32 : 128;
    unsigned p = prefix.value_or(max);
    if (p > max) return fail(Errc::invalid_argument, "trusted proxies: prefix too long in '" + std::string(entry) + "'");
    out.ranges_.push_back(Range{as_v6(a), a.is_v4() ? p + 96 : p});
  }
  return out;
}

bool TrustedProxies::contains(const ip::address& a) const {
  auto v6 = as_v6(a);
  for (auto& r : ranges_)
    if (same_prefix(v6, r.base, r.prefix)) return true;
  return false;
}

std::string TrustedProxies::client_key(const ip::address& peer, std::string_view forwarded_for) const {
  if (!contains(peer) || trim(forwarded_for).empty()) return address_key(peer);
  // Walk right to left: each hop was appended by the proxy to its right.
  std::optional<ip::address> last;
  std::string_view rest = forwarded_for;
  while (true) {
    size_t comma = rest.rfind(',');
    std::string_view hop = comma == std::string_view::npos ? rest : rest.substr(comma + 1);
    auto a = parse_ip(hop);
    if (!a) return last ? address_key(*last) : address_key(peer);
    if (!contains(*a)) return address_key(*a);
    last = a;
    if (comma == std::string_view::npos) break;
    rest = rest.substr(0, comma);
  }
  return address_key(*last);
}

}  // namespace hub::http
