#include "tensorboard/event.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "tensorboard/event_writer.h"

namespace hub::tensorboard {
namespace {

using namespace hub::tensorboard::testing;

// The Event borrows strings from its bytes: callers keep `b` alive while they use the result.
Event decode_ok(const Bytes& b) {
  auto ev = decode_event(as_span(b));
  EXPECT_TRUE(ev.has_value()) << (ev ? "" : ev.error().message);
  return ev ? *ev : Event{};
}

TEST(Event, DecodesHeaderFields) {
  const Bytes bytes = f_double(1, 1234.5) + f_varint(2, 42) + f_bytes(3, "brain.Event:2");
  const Event ev = decode_ok(bytes);
  EXPECT_EQ(ev.wall_time, 1234.5);
  EXPECT_EQ(ev.step, 42);
  EXPECT_EQ(ev.file_version, "brain.Event:2");
  EXPECT_FALSE(ev.has_summary);
  EXPECT_EQ(decode_ok(event(0, -7)).step, -7);  // int64 in a ten-byte varint
}

TEST(Event, SimpleValueAndOtherKinds) {
  const Bytes histo = f_bytes(1, "w") + f_bytes(5, f_double(1, 0.0));
  const Bytes image = f_bytes(1, "img") + f_bytes(4, f_varint(1, 1));
  const Bytes audio = f_bytes(1, "snd") + f_bytes(6, f_float(1, 8000.f));
  const Bytes bytes = event(1, 2, values({simple_value("loss", 0.1f), histo, image, audio}));
  const Event ev = decode_ok(bytes);
  ASSERT_EQ(ev.values.size(), 4u);
  EXPECT_EQ(ev.values[0].tag, "loss");
  EXPECT_EQ(ev.values[0].kind, ValueKind::simple_value);
  EXPECT_EQ(ev.values[0].scalar, static_cast<double>(0.1f));
  for (int i = 1; i < 4; ++i) {
    EXPECT_EQ(ev.values[i].kind, ValueKind::other);
    EXPECT_FALSE(ev.values[i].scalar.has_value());
  }
}

Bytes dtype(DataType t) { return f_varint(1, static_cast<uint64_t>(t)); }
Bytes dims(std::initializer_list<uint64_t> ds) {
  Bytes shape;
  for (auto d : ds) shape += f_bytes(1, f_varint(1, d));
  return f_bytes(2, shape);
}

std::optional<double> tensor_scalar(const Bytes& tensor, std::string_view plugin = "scalars") {
  const Bytes bytes = event(0, 0, values({with_plugin(tensor_value("t", tensor), plugin)}));
  const Event ev = decode_ok(bytes);
  EXPECT_EQ(ev.values.size(), 1u);
  if (ev.values.empty()) return std::nullopt;
  EXPECT_EQ(ev.values[0].kind, ValueKind::tensor);
  EXPECT_EQ(ev.values[0].plugin_name, plugin);
  EXPECT_TRUE(ev.values[0].has_metadata);
  return ev.values[0].scalar;
}

TEST(Event, TensorScalarsOfEachEncoding) {
  const float f = 3.14159f;
  uint32_t fbits;
  std::memcpy(&fbits, &f, 4);
  const double d = 2.718281828459045;
  uint64_t dbits;
  std::memcpy(&dbits, &d, 8);
  // tensor_content, rank 0 and rank 1 of size 1
  EXPECT_EQ(tensor_scalar(dtype(DataType::dt_float) + dims({}) + f_bytes(4, le(fbits, 4))), f);
  EXPECT_EQ(tensor_scalar(dtype(DataType::dt_float) + dims({1, 1}) + f_bytes(4, le(fbits, 4))), f);
  EXPECT_EQ(tensor_scalar(dtype(DataType::dt_double) + f_bytes(4, le(dbits, 8))), d);
  // packed and unpacked typed lists
  EXPECT_EQ(tensor_scalar(dtype(DataType::dt_float) + f_bytes(5, le(fbits, 4))), f);
  EXPECT_EQ(tensor_scalar(dtype(DataType::dt_float) + f_float(5, f)), f);
  EXPECT_EQ(tensor_scalar(dtype(DataType::dt_double) + f_bytes(6, le(dbits, 8))), d);
  EXPECT_EQ(tensor_scalar(dtype(DataType::dt_double) + f_double(6, d)), d);
  EXPECT_EQ(tensor_scalar(dtype(DataType::dt_half) + f_bytes(13, varint(0x3C00))), 1.0);
  EXPECT_EQ(tensor_scalar(dtype(DataType::dt_half) + f_varint(13, 0xC000)), -2.0);
  EXPECT_EQ(tensor_scalar(dtype(DataType::dt_half) + f_bytes(4, le(0x3555, 2))),
            static_cast<double>(half_to_float(0x3555)));
  EXPECT_EQ(tensor_scalar(dtype(DataType::dt_bfloat16) + f_bytes(13, varint(0x3F80))), 1.0);
  // no values at all: TensorFlow reads a zero tensor
  EXPECT_EQ(tensor_scalar(dtype(DataType::dt_float)), 0.0);
}

TEST(Event, NonScalarTensorsHaveNoScalar) {
  EXPECT_FALSE(tensor_scalar(dtype(DataType::dt_float) + dims({2}) + f_bytes(4, Bytes(8, '\0'))));
  EXPECT_FALSE(tensor_scalar(dtype(DataType::dt_float) + dims({0})));
  EXPECT_FALSE(tensor_scalar(dtype(DataType::dt_float) + f_bytes(4, Bytes(8, '\0'))));  // 2 elems
  EXPECT_FALSE(tensor_scalar(dtype(DataType::dt_float) + f_bytes(4, Bytes(3, '\0'))));  // ragged
  EXPECT_FALSE(tensor_scalar(f_varint(1, 7) + f_bytes(8, "text")));                   // DT_STRING
  EXPECT_FALSE(tensor_scalar(f_varint(1, 3) + f_bytes(7, varint(5))));                // DT_INT32
  EXPECT_FALSE(tensor_scalar(dtype(DataType::dt_float) + f_bytes(2, f_varint(3, 1))));  // unknown rank
}

TEST(Event, HalfAndBfloat16AreExact) {
  EXPECT_EQ(half_to_float(0x0000), 0.0f);
  EXPECT_TRUE(std::signbit(half_to_float(0x8000)));
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(half_to_float(0x03FF), std::ldexp(1023.0f, -24));
  EXPECT_EQ(half_to_float(0x0400), std::ldexp(1.0f, -14));  // smallest normal
  EXPECT_EQ(half_to_float(0x7BFF), 65504.0f);
  EXPECT_EQ(half_to_float(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(half_to_float(0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(half_to_float(0x7E00)));
  // Every finite half: sign * mantissa * 2^(exp) computed independently.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0x1f) continue;
    const float mag = e == 0 ? std::ldexp(static_cast<float>(m), -24)
                             : std::ldexp(static_cast<float>(m + 1024), static_cast<int>(e) - 25);
    ASSERT_EQ(half_to_float(static_cast<uint16_t>(h)), (h & 0x8000) ? -mag : mag) << h;
  }
  EXPECT_EQ(bfloat16_to_float(0xC040), -3.0f);
}

TEST(Event, MalformedNestedMessagesAreCorrupt) {
  // Summary whose value runs past its end, and a value whose tensor is garbage.
  EXPECT_FALSE(decode_event(as_span(f_double(1, 0) + f_bytes(5, key(1, 2) + varint(50)))));
  auto bad_tensor = decode_event(as_span(event(0, 0, values({tensor_value("t", "\x0a\xff")}))));
  ASSERT_FALSE(bad_tensor);
  EXPECT_EQ(bad_tensor.error().code, Errc::corrupt);
}

TEST(Event, EveryTruncationEndsCleanly) {
  const Bytes full = event(5.5, 9, values({simple_value("a", 1.f),
                                          with_plugin(tensor_value("b", dtype(DataType::dt_double) +
                                                                            f_double(6, 2.0)),
                                                      "scalars")}));
  ASSERT_TRUE(decode_event(as_span(full)));
  for (size_t cut = 0; cut < full.size(); ++cut) {
    auto ev = decode_event(as_span(full.substr(0, cut)));  // ok or corrupt, never a crash
    if (ev) {
      EXPECT_LE(ev->values.size(), 2u);
    }
  }
}

TEST(Event, FuzzRandomAndMutatedBytes) {
  std::mt19937 rng(21);
  const Bytes seed = event(1, 2, values({simple_value("loss", 0.5f),
                                        tensor_value("x", dtype(DataType::dt_float) + f_float(5, 1.f))}));
  int decoded = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    Bytes b = seed;
    if (iter % 2) {
      b.resize(rng() % 80);
      for (auto& c : b) c = static_cast<char>(rng());
    } else {
      for (int k = 0; k < 3; ++k) b[rng() % b.size()] = static_cast<char>(rng());
    }
    if (decode_event(as_span(b))) ++decoded;
  }
  EXPECT_GT(decoded, 0);
}

}  // namespace
}  // namespace hub::tensorboard
