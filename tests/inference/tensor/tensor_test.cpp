#include "inference/tensor/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "inference/tensor/dtype.h"

namespace hub::inference {
namespace {

TEST(Tensor, OwningShapeStridesAndAlignment) {
  Tensor t = Tensor::zeros(Shape{2, 3, 4});
  EXPECT_TRUE(t.owns_data());
  EXPECT_EQ(t.numel(), 24);
  EXPECT_EQ(t.stride(0), 12);
  EXPECT_EQ(t.stride(1), 4);
  EXPECT_EQ(t.stride(-1), 1);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % 64, 0u);
  t.at({1, 2, 3}) = 5.f;
  EXPECT_EQ(t.data()[23], 5.f);
  EXPECT_EQ(t.shape().str(), "[2, 3, 4]");
}

TEST(Tensor, ViewsShareStorageAndKeepOwnerAlive) {
  auto owner = std::make_shared<std::vector<float>>(std::vector<float>{1, 2, 3, 4, 5, 6});
  Tensor v = Tensor::view(owner->data(), Shape{2, 3}, owner);
  std::weak_ptr<std::vector<float>> weak = owner;
  owner.reset();
  EXPECT_FALSE(weak.expired());
  EXPECT_FALSE(v.owns_data());
  Tensor r = v.reshape(Shape{3, 2});
  EXPECT_EQ(r.at({2, 1}), 6.f);
  Tensor rows = v.slice_rows(1, 2);
  EXPECT_EQ(rows.dim(0), 1);
  EXPECT_EQ(rows.at({0, 0}), 4.f);
  Tensor c = v.clone();
  c.at({0, 0}) = 42.f;
  EXPECT_EQ(v.at({0, 0}), 1.f);
  EXPECT_TRUE(c.owns_data());
}

TEST(DType, NamesAndSizes) {
  EXPECT_EQ(dtype_from_name("BF16"), DType::bf16);
  EXPECT_EQ(dtype_size(DType::bf16), 2u);
  EXPECT_EQ(dtype_size(DType::i64), 8u);
  EXPECT_FALSE(dtype_from_name("F17").has_value());
  EXPECT_EQ(dtype_name(DType::f8_e4m3), "F8_E4M3");
}

TEST(DType, HalfConversionsRoundTrip) {
  // Every finite f16 converts to f32 and back exactly.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;
    float f = f16_to_f32(uint16_t(h));
    ASSERT_EQ(f32_to_f16(f), uint16_t(h)) << h;
  }
  EXPECT_EQ(f16_to_f32(0x3c00), 1.f);
  EXPECT_EQ(f16_to_f32(0xc000), -2.f);
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.f, -24));
  EXPECT_TRUE(std::isinf(f16_to_f32(0x7c00)));
  EXPECT_TRUE(std::isnan(f16_to_f32(0x7e00)));
  EXPECT_EQ(f32_to_f16(1e6f), 0x7c00);  // overflow to inf
  EXPECT_EQ(bf16_to_f32(0x3f80), 1.f);
  EXPECT_EQ(f32_to_bf16(1.f), 0x3f80);
  // Round to nearest even: 1 + 2^-8 is halfway between bf16 1.0 and 1.0078125.
  EXPECT_EQ(f32_to_bf16(1.f + std::ldexp(1.f, -8)), 0x3f80);
  EXPECT_EQ(f32_to_bf16(1.f + 3 * std::ldexp(1.f, -8)), 0x3f82);
}

TEST(DType, ConvertToF32HandlesUnalignedSources) {
  uint8_t buf[1 + 3 * 2];
  uint16_t vals[3] = {0x3c00, 0x4000, 0xbc00};
  std::memcpy(buf + 1, vals, sizeof vals);
  float out[3];
  convert_to_f32(DType::f16, buf + 1, out, 3);
  EXPECT_EQ(out[0], 1.f);
  EXPECT_EQ(out[1], 2.f);
  EXPECT_EQ(out[2], -1.f);
}

}  // namespace
}  // namespace hub::inference
