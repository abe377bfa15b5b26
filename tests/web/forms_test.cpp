// Form parsing and CSRF checks of web/site.h.
#include "web/site.h"

#include <gtest/gtest.h>

namespace hub::web {
namespace {

TEST(Forms, UrlencodedDecodesPlusAndPercent) {
  Form f = parse_urlencoded("a=1&name=J%C3%BCrgen+S&empty=&flag&bad=%zz&a=2");
  EXPECT_EQ(f.get("a"), "1");
  EXPECT_EQ(f.get("name"), "J\xc3\xbcrgen S");
  EXPECT_TRUE(f.has("empty"));
  EXPECT_TRUE(f.has("flag"));
  EXPECT_FALSE(f.has("bad"));  // malformed escapes are dropped, not guessed
  EXPECT_EQ(f.get("missing"), "");
}

http::Request multipart_request(std::string body, std::string boundary = "XyZ") {
  http::Request r;
  r.method = "POST";
  r.headers.emplace_back("Content-Type", "multipart/form-data; boundary=" + boundary);
  r.body = std::move(body);
  return r;
}

TEST(Forms, MultipartFieldsAndFiles) {
  // A file part holding a NUL and a line that starts like the boundary but is not one.
  std::string content("bin\0ary\r\n--X\r\n", 14);
  std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\ntok\r\n"
                     "--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.bin\"\r\n"
                     "Content-Type: application/octet-stream\r\n\r\n" +
                     content +
                     "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"\"\r\n\r\n\r\n--XyZ--\r\n";
  auto m = parse_multipart(multipart_request(body));
  ASSERT_TRUE(m.has_value()) << m.error().message;
  EXPECT_EQ(m->form.get("csrf"), "tok");
  ASSERT_EQ(m->files.size(), 2u);
  EXPECT_EQ(m->files[0].filename, "a.bin");
  EXPECT_EQ(m->files[0].data, content);
  EXPECT_EQ(m->files[1].filename, "");
}

TEST(Forms, MalformedMultipartIsAnError) {
  EXPECT_FALSE(parse_multipart(multipart_request("garbage")).has_value());
  EXPECT_FALSE(parse_multipart(multipart_request("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end")).has_value());
  http::Request plain;
  plain.headers.emplace_back("Content-Type", "application/json");
  EXPECT_FALSE(parse_multipart(plain).has_value());
}

}  // namespace
}  // namespace hub::web
