#include "http/headers.h"

#include <gtest/gtest.h>

#include <random>

namespace hub::http {
namespace {

std::string find(const Headers& h, std::string_view name) {
  for (auto& [k, v] : h)
    if (iequals(k, name)) return v;
  return "<absent>";
}

bool wire_safe(const Headers& h) {
  for (auto& [k, v] : h) {
    if (!is_header_name(k)) return false;
    for (char c : v)
      if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

TEST(HeadersTest, NamesAreTokens) {
  EXPECT_TRUE(is_header_name("X-Error-Message"));
  EXPECT_TRUE(is_header_name("x~!#$%&'*+-.^_`|"));
  EXPECT_FALSE(is_header_name(""));
  EXPECT_FALSE(is_header_name("Bad Name"));
  EXPECT_FALSE(is_header_name("X-A:b"));
  EXPECT_FALSE(is_header_name("X-A\r\nSet-Cookie"));
  EXPECT_FALSE(is_header_name(std::string(300, 'a')));
}

TEST(HeadersTest, LineBreaksAndNulBecomeSpaces) {
  EXPECT_EQ(clean_header_value("a\r\nSet-Cookie: s=1\r\n\r\n<script>"), "a  Set-Cookie: s=1    <script>");
  EXPECT_EQ(clean_header_value(std::string("x\0y", 3)), "x y");
  EXPECT_EQ(clean_header_value("tab\tkept"), "tab\tkept");
  EXPECT_EQ(clean_header_value("\x7f\x01z"), "z");
  EXPECT_EQ(clean_header_value("  \r\n padded \n"), "padded");
}

TEST(HeadersTest, LongValuesAreCutOnUtf8Boundaries) {
  std::string s;
  for (int i = 0; i < 5000; ++i) s += "\xc3\xa9";  // é, 2 bytes each: 10000 bytes
  std::string out = clean_header_value(s);
  EXPECT_LE(out.size(), kMaxHeaderValue);
  EXPECT_EQ(out.size() % 2, 0u);  // never half a character
  EXPECT_EQ(clean_header_value("abcdef", 4), "abcd");
  EXPECT_EQ(clean_header_value("ab\xe2\x82\xac", 4), "ab");  // € would be cut in half
}

TEST(HeadersTest, SealAddsSecurityHeadersAndKeepsAPagesCsp) {
  Headers h{{"Content-Type", "application/json"}};
  seal_response_headers(h);
  EXPECT_EQ(find(h, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(find(h, "Content-Security-Policy"), kDefaultCsp);

  Headers page{{"Content-Security-Policy", "default-src 'self'"}, {"X-Content-Type-Options", "sniff-away"}};
  seal_response_headers(page);
  EXPECT_EQ(find(page, "Content-Security-Policy"), "default-src 'self'");
  EXPECT_EQ(find(page, "X-Content-Type-Options"), "nosniff");
}

TEST(HeadersTest, SealDropsBadNamesAndNeutralisesInjection) {
  Headers h{{"X-Error-Message", "boom\r\nSet-Cookie: hubd_session=evil\r\nContent-Type: text/html\r\n\r\n<script>"},
            {"Bad\r\nName", "v"},
            {"", "v"},
            {"Location", "/\r\nSet-Cookie: a=b"}};
  seal_response_headers(h);
  EXPECT_TRUE(wire_safe(h));
  EXPECT_EQ(find(h, "Set-Cookie"), "<absent>");
  EXPECT_EQ(find(h, "Location"), "/  Set-Cookie: a=b");
  EXPECT_EQ(find(h, "Bad\r\nName"), "<absent>");
}

TEST(HeadersTest, SealBoundsTheWholeBlock) {
  Headers h;
  h.emplace_back("Content-Disposition", std::string(120000, 'n'));
  for (int i = 0; i < 200; ++i) h.emplace_back("X-Many-" + std::to_string(i), std::string(2000, 'v'));
  seal_response_headers(h);
  size_t total = 0;
  for (auto& [k, v] : h) total += k.size() + v.size() + 4;
  EXPECT_LE(h.size(), kMaxHeaderCount + 2);
  EXPECT_LE(total, kMaxHeaderBlock + 200);  // + the two security headers added after the bound
  EXPECT_EQ(find(h, "X-Content-Type-Options"), "nosniff");
  EXPECT_LE(find(h, "Content-Disposition").size(), 1024u);
}

// Fuzz-style: random bytes in names and values never survive as anything unsafe.
TEST(HeadersTest, RandomHeadersAreAlwaysWireSafe) {
  std::mt19937 rng(14);
  for (int round = 0; round < 2000; ++round) {
    Headers h;
    int n = int(rng() % 8);
    for (int i = 0; i < n; ++i) {
      std::string k(rng() % 12, '\0'), v(rng() % 300, '\0');
      for (char& c : k) c = char(rng() % 4 == 0 ? rng() % 256 : 'a' + rng() % 26);
      for (char& c : v) c = char(rng() % 256);
      h.emplace_back(std::move(k), std::move(v));
    }
    seal_response_headers(h);
    ASSERT_TRUE(wire_safe(h));
  }
}

}  // namespace
}  // namespace hub::http
