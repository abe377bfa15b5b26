#include "web/safetensors_header.h"

#include <gtest/gtest.h>

namespace hub::web {
namespace {

std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[size_t(i)] = char((n >> (8 * i)) & 0xff);
  return s;
}

TEST(SafetensorsHeader, LengthIsLittleEndianAndBounded) {
  EXPECT_EQ(*safetensors_header_length(le64(300)), 300u);
  EXPECT_FALSE(safetensors_header_length("abc").has_value());
  EXPECT_FALSE(safetensors_header_length(le64(uint64_t(1) << 60)).has_value());
  EXPECT_FALSE(safetensors_header_length(le64(kMaxSafetensorsHeader + 1)).has_value());
  EXPECT_FALSE(safetensors_header_length(le64(0)).has_value());
}

TEST(SafetensorsHeader, ListsTensorsSortedWithParameterCounts) {
  auto h = parse_safetensors_header(
      R"({"__metadata__":{"format":"pt"},"b.weight":{"dtype":"F32","shape":[4,3],"data_offsets":[0,48]},)"
      R"("a.bias":{"dtype":"BF16","shape":[3],"data_offsets":[48,54]},"s":{"dtype":"I64","shape":[],"data_offsets":[54,62]}})");
  ASSERT_TRUE(h.has_value()) << h.error().message;
  ASSERT_EQ(h->tensors.size(), 3u);
  EXPECT_EQ(h->tensors[0].name, "a.bias");
  EXPECT_EQ(h->tensors[0].dtype, "BF16");
  EXPECT_EQ(h->tensors[1].shape, (std::vector<int64_t>{4, 3}));
  EXPECT_EQ(h->total_parameters, 12u + 3u + 1u);
  ASSERT_EQ(h->metadata.size(), 1u);
  EXPECT_EQ(h->metadata[0].second, "pt");
}

TEST(SafetensorsHeader, RejectsMalformedHeaders) {
  EXPECT_FALSE(parse_safetensors_header("not json").has_value());
  EXPECT_FALSE(parse_safetensors_header("[1,2]").has_value());
  EXPECT_FALSE(parse_safetensors_header(R"({"t":{"dtype":"F32"}})").has_value());
  EXPECT_FALSE(parse_safetensors_header(R"({"t":{"dtype":"F32","shape":[-1]}})").has_value());
  EXPECT_FALSE(parse_safetensors_header(R"({"t":{"dtype":"F32","shape":["x"]}})").has_value());
}

TEST(SafetensorsHeader, KeepsAtMostMaxTensorsButCountsAll) {
  std::string j = "{";
  for (int i = 0; i < 50; ++i) j += (i ? "," : "") + std::string("\"t") + std::to_string(i) + R"(":{"dtype":"F32","shape":[2]})";
  j += "}";
  auto h = parse_safetensors_header(j, 10);
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->tensors.size(), 10u);
  EXPECT_EQ(h->total_tensors, 50u);
  EXPECT_EQ(h->total_parameters, 100u);
}

}  // namespace
}  // namespace hub::web
