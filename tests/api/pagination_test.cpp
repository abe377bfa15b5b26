#include "api/pagination.h"

#include <gtest/gtest.h>

namespace hub::api {
namespace {

TEST(Cursor, RoundTripsAndRejectsForgeries) {
  Cursor c{std::string(40, 'b'), 1000};
  auto d = decode_cursor(encode_cursor(c));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->commit, c.commit);
  EXPECT_EQ(d->offset, 1000u);
  EXPECT_FALSE(decode_cursor("garbage!"));
  EXPECT_FALSE(decode_cursor(""));
  EXPECT_FALSE(decode_cursor(encode_cursor(Cursor{"not-a-sha", 1})));
}

TEST(NextLink, RepeatsEveryParameterAndReplacesCursor) {
  http::Request req;
  req.base_url = "http://hub.test:8080";
  req.path = "/api/models/a/b/tree/refs%2Fpr%2F1/sub%2Fdir";
  req.query = {{"recursive", "true"}, {"expand[]", "formatted"}, {"cursor", "old"}, {"q", "a b&c"}};
  std::string link = next_link(req, Cursor{std::string(40, 'c'), 5});
  std::string prefix = "<http://hub.test:8080/api/models/a/b/tree/refs%2Fpr%2F1/sub%2Fdir?";
  ASSERT_EQ(link.substr(0, prefix.size()), prefix) << link;
  EXPECT_NE(link.find("recursive=true&"), std::string::npos) << link;
  EXPECT_NE(link.find("expand%5B%5D=formatted&"), std::string::npos) << link;
  EXPECT_NE(link.find("q=a%20b%26c&"), std::string::npos) << link;
  EXPECT_EQ(link.find("cursor=old"), std::string::npos) << link;
  EXPECT_NE(link.find("cursor=" + encode_cursor(Cursor{std::string(40, 'c'), 5}) + ">; rel=\"next\""),
            std::string::npos)
      << link;
}

TEST(PageLimit, DefaultClampAndErrors) {
  http::Request req;
  EXPECT_EQ(*page_limit(req, 50, 100), 50u);
  req.query = {{"limit", "1000"}};
  EXPECT_EQ(*page_limit(req, 50, 100), 100u);
  req.query = {{"limit", "0"}};
  EXPECT_EQ(*page_limit(req, 50, 100), 1u);
  req.query = {{"limit", "ten"}};
  EXPECT_FALSE(page_limit(req, 50, 100));
}

}  // namespace
}  // namespace hub::api
