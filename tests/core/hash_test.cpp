#include "core/hash.h"

#include <gtest/gtest.h>

#include <vector>

namespace hub {

TEST(Hash, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Sha256 h;
  h.update("a");
  h.update("bc");
  EXPECT_EQ(h.finish_hex(), sha256_hex("abc"));
}

TEST(Hash, Sha1KnownVector) {
  EXPECT_EQ(sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(Hash, Base64RoundTripAndErrors) {
  for (std::string s : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)}) {
    auto enc = base64_encode(s);
    auto dec = base64_decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(*dec, s);
    auto u = base64url_decode(base64url_encode(s));
    ASSERT_TRUE(u.has_value());
    EXPECT_EQ(*u, s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_FALSE(base64_decode("Zm9v!").has_value());
  EXPECT_FALSE(base64_decode("Z").has_value());
  EXPECT_FALSE(base64_decode("Zm8===").has_value());
}

TEST(Hash, RandomTokenAlphabet) {
  auto t = random_token(34, "abc");
  EXPECT_EQ(t.size(), 34u);
  for (char c : t) EXPECT_TRUE(c == 'a' || c == 'b' || c == 'c');
  EXPECT_NE(random_token(34, "abcdefghijklmnop"), random_token(34, "abcdefghijklmnop"));
}

TEST(Hash, HexHelpers) {
  EXPECT_TRUE(is_hex("00ff", 4));
  EXPECT_FALSE(is_hex("00fg", 4));
  EXPECT_FALSE(is_hex("00f", 4));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
}

}  // namespace hub
