#include "http/message.h"

#include <gtest/gtest.h>

namespace hub::http {
namespace {

TEST(PercentCoding, DecodeAndEncode) {
  EXPECT_EQ(percent_decode("a%2Fb%20c"), "a/b c");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_FALSE(percent_decode("%").has_value());
  EXPECT_FALSE(percent_decode("%4").has_value());
  EXPECT_FALSE(percent_decode("%zz").has_value());
  EXPECT_EQ(percent_encode("refs/pr/1"), "refs%2Fpr%2F1");
  EXPECT_EQ(percent_encode("a b/c", true), "a%20b/c");
  for (std::string s : {"", "ü/ñ", "a%b", "\x01\xff"}) EXPECT_EQ(percent_decode(percent_encode(s)), s);
}

TEST(Request, HeadersQueryAndCookies) {
  Request r;
  r.headers = {{"Content-Type", "x"}, {"Cookie", "a=1; hubd_session=abc; b=2"}};
  r.query = {{"expand", "a"}, {"expand[]", "b"}, {"full", "true"}, {"x", "0"}};
  EXPECT_EQ(r.header("content-type"), "x");
  EXPECT_FALSE(r.header("missing").has_value());
  EXPECT_EQ(r.query_params("expand"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_TRUE(r.query_flag("full"));
  EXPECT_FALSE(r.query_flag("x"));
  EXPECT_EQ(r.cookie("hubd_session"), "abc");
  EXPECT_EQ(r.cookie("b"), "2");
  EXPECT_EQ(r.cookie("nope"), "");
}

TEST(Response, ErrorShape) {
  auto r = Response::error(404, "Entry not\nfound", "EntryNotFound");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("X-Error-Code"), "EntryNotFound");
  EXPECT_EQ(r.header("X-Error-Message"), "Entry not found");  // header-safe
  EXPECT_EQ(r.body, R"({"error":"Entry not\nfound"})");
  EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
}

}  // namespace
}  // namespace hub::http
