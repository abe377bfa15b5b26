#include "http/client_address.h"

#include <gtest/gtest.h>

namespace hub::http {
namespace {

namespace ip = boost::asio::ip;

ip::address A(const char* s) { return ip::make_address(s); }

TEST(AddressKey, Ipv4AndV6Slash64) {
  EXPECT_EQ(address_key(A("203.0.113.7")), "203.0.113.7");
  EXPECT_EQ(address_key(A("::ffff:203.0.113.7")), "203.0.113.7");
  EXPECT_EQ(address_key(A("2001:db8:1:2:3:4:5:6")), "2001:db8:1:2::/64");
  EXPECT_EQ(address_key(A("2001:db8:1:2:ffff::1")), address_key(A("2001:db8:1:2::9")));
}

TEST(TrustedProxies, ParsesAddressesAndRanges) {
  auto t = TrustedProxies::parse(" 127.0.0.1, 10.0.0.0/8 fd00::/8,,::1 ");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->contains(A("127.0.0.1")));
  EXPECT_TRUE(t->contains(A("::ffff:127.0.0.1")));  // v4-mapped peers of a dual-stack socket
  EXPECT_FALSE(t->contains(A("127.0.0.2")));
  EXPECT_TRUE(t->contains(A("10.255.1.2")));
  EXPECT_FALSE(t->contains(A("11.0.0.1")));
  EXPECT_TRUE(t->contains(A("fd12:3456::1")));
  EXPECT_FALSE(t->contains(A("fe80::1")));
  EXPECT_TRUE(t->contains(A("::1")));
  EXPECT_TRUE(TrustedProxies::parse("")->empty());
  EXPECT_TRUE(TrustedProxies::parse("0.0.0.0/0")->contains(A("8.8.8.8")));
  EXPECT_FALSE(TrustedProxies::parse("0.0.0.0/0")->contains(A("2001:db8::1")));
  for (const char* bad : {"10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0/8", "proxy.example", "1.2.3.4/x", "/8"})
    EXPECT_FALSE(TrustedProxies::parse(bad)) << bad;
}

TEST(TrustedProxies, ForwardedClientOnlyFromTrustedPeers) {
  auto t = *TrustedProxies::parse("10.0.0.0/8,127.0.0.1");
  // An untrusted peer's header is ignored, whatever it says.
  EXPECT_EQ(t.client_key(A("198.51.100.9"), "1.2.3.4"), "198.51.100.9");
  // The proxy appended the client's address: it is the rightmost hop.
  EXPECT_EQ(t.client_key(A("127.0.0.1"), "203.0.113.7"), "203.0.113.7");
  // A client that writes its own X-Forwarded-For cannot choose its bucket: the proxy's appended
  // hop is what counts.
  EXPECT_EQ(t.client_key(A("127.0.0.1"), "1.1.1.1, 2.2.2.2, 203.0.113.7"), "203.0.113.7");
  // Chains of trusted proxies are walked through.
  EXPECT_EQ(t.client_key(A("127.0.0.1"), "203.0.113.7, 10.1.1.1,10.2.2.2"), "203.0.113.7");
  // All hops trusted: the leftmost.
  EXPECT_EQ(t.client_key(A("127.0.0.1"), "10.9.9.9, 10.1.1.1"), "10.9.9.9");
  // Absent or garbage: the nearest trusted hop.
  EXPECT_EQ(t.client_key(A("127.0.0.1"), ""), "127.0.0.1");
  EXPECT_EQ(t.client_key(A("127.0.0.1"), "not-an-ip"), "127.0.0.1");
  EXPECT_EQ(t.client_key(A("127.0.0.1"), "junk, 10.1.1.1"), "10.1.1.1");
  // Ports and brackets as some proxies write them; IPv6 clients count per /64.
  EXPECT_EQ(t.client_key(A("127.0.0.1"), "203.0.113.7:5555"), "203.0.113.7");
  EXPECT_EQ(t.client_key(A("127.0.0.1"), "[2001:db8:1:2::5]:443"), "2001:db8:1:2::/64");
  EXPECT_EQ(t.client_key(A("127.0.0.1"), "2001:db8:1:2::5"), "2001:db8:1:2::/64");
}

}  // namespace
}  // namespace hub::http
