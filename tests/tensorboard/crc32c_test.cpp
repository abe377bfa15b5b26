#include "tensorboard/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace hub::tensorboard {
namespace {

uint32_t crc_of(const std::string& s) { return crc32c(std::as_bytes(std::span(s))); }

// Check values from RFC 3720 (iSCSI) appendix B.4 and the common "123456789" check.
TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc_of(""), 0u);
  EXPECT_EQ(crc_of("123456789"), 0xE3069283u);
  EXPECT_EQ(crc_of(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc_of(std::string(32, '\xff')), 0x62A8AB43u);
  std::string inc, dec;
  for (int i = 0; i < 32; ++i) {
    inc += static_cast<char>(i);
    dec += static_cast<char>(31 - i);
  }
  EXPECT_EQ(crc_of(inc), 0x46DD794Eu);
  EXPECT_EQ(crc_of(dec), 0x113FDB5Cu);
}

TEST(Crc32c, TableAndDispatchAgreeOnEveryLengthAndAlignment) {
  std::mt19937 rng(7);
  std::vector<std::byte> buf(600);
  for (auto& b : buf) b = static_cast<std::byte>(rng());
  for (size_t start = 0; start < 9; ++start)
    for (size_t len = 0; len + start <= buf.size(); len += 1 + len / 8) {
      const auto s = std::span(buf).subspan(start, len);
      ASSERT_EQ(crc32c(s), crc32c_extend_table(0, s)) << start << "+" << len;
    }
}

TEST(Crc32c, ExtendEqualsWhole) {
  const std::string a = "hello, ", b = "tensorboard";
  const uint32_t part = crc_of(a);
  EXPECT_EQ(crc32c_extend(part, std::as_bytes(std::span(b))), crc_of(a + b));
  EXPECT_EQ(crc32c_extend_table(crc32c_extend_table(0, std::as_bytes(std::span(a))),
                                std::as_bytes(std::span(b))),
            crc_of(a + b));
}

TEST(Crc32c, MaskRoundTripsAndChangesValue) {
  std::mt19937 rng(3);
  for (int i = 0; i < 1000; ++i) {
    const uint32_t c = rng();
    EXPECT_EQ(crc32c_unmask(crc32c_mask(c)), c);
  }
  EXPECT_NE(crc32c_mask(0x12345678u), 0x12345678u);
  // rotr(0, 15) + constant
  EXPECT_EQ(crc32c_mask(0), 0xa282ead8u);
  EXPECT_STRNE(crc32c_impl_name(), "");
}

}  // namespace
}  // namespace hub::tensorboard
