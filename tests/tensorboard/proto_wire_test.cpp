#include "tensorboard/proto_wire.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "tensorboard/event_writer.h"

namespace hub::tensorboard::proto {
namespace {

using testing::as_span;
using testing::Bytes;

std::vector<Field> walk(const Bytes& b, const char** error = nullptr) {
  Reader r(as_span(b));
  std::vector<Field> out;
  Field f;
  while (r.next(f)) out.push_back(f);
  if (error) *error = r.error();
  return out;
}

TEST(ProtoWire, ReadsEachWireType) {
  const Bytes msg = testing::f_varint(1, 300) + testing::f_double(2, -1.5) +
                    testing::f_bytes(3, "abc") + testing::f_float(4, 0.25f) +
                    testing::f_varint(5, ~uint64_t{0});
  const char* err = "unset";
  const auto fields = walk(msg, &err);
  EXPECT_EQ(err, nullptr);
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0].bits, 300u);
  EXPECT_EQ(fields[1].as_double(), -1.5);
  EXPECT_EQ(fields[2].as_string(), "abc");
  EXPECT_EQ(fields[3].as_float(), 0.25f);
  EXPECT_EQ(fields[4].bits, ~uint64_t{0});
  EXPECT_EQ(fields[4].number, 5u);
}

TEST(ProtoWire, RejectsMalformedVarints) {
  size_t pos = 0;
  uint64_t v = 0;
  const Bytes eleven(11, '\x80');
  EXPECT_FALSE(read_varint(as_span(eleven), pos, v));
  pos = 0;
  Bytes tenth_too_big(9, '\xff');
  tenth_too_big += '\x02';  // would be bit 64
  EXPECT_FALSE(read_varint(as_span(tenth_too_big), pos, v));
  pos = 0;
  EXPECT_FALSE(read_varint(as_span(Bytes("\x80\x80")), pos, v));
  pos = 0;
  Bytes max(9, '\xff');
  max += '\x01';
  EXPECT_TRUE(read_varint(as_span(max), pos, v));
  EXPECT_EQ(v, ~uint64_t{0});
}

TEST(ProtoWire, StopsWithErrorOnBadInput) {
  const char* err = nullptr;
  // Length-delimited field claiming more bytes than the message holds.
  EXPECT_TRUE(walk(testing::key(1, 2) + testing::varint(uint64_t{1} << 60) + "x", &err).empty());
  EXPECT_NE(err, nullptr);
  // Field number 0.
  EXPECT_TRUE(walk(Bytes("\x00\x01", 2), &err).empty());
  EXPECT_NE(err, nullptr);
  // Wire types 6 and 7 do not exist.
  EXPECT_TRUE(walk(testing::key(1, 6) + "\x01", &err).empty());
  EXPECT_NE(err, nullptr);
  EXPECT_TRUE(walk(testing::key(1, 7) + "\x01", &err).empty());
  EXPECT_NE(err, nullptr);
  // Truncated fixed-width values.
  EXPECT_TRUE(walk(testing::key(1, 1) + "1234567", &err).empty());
  EXPECT_NE(err, nullptr);
  EXPECT_TRUE(walk(testing::key(1, 5) + "123", &err).empty());
  EXPECT_NE(err, nullptr);
  // A good field followed by garbage: the good one is still returned.
  const auto fields = walk(testing::f_varint(1, 9) + testing::key(2, 2) + "\x05" "ab", &err);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].bits, 9u);
  EXPECT_NE(err, nullptr);
}

TEST(ProtoWire, SkipsGroupsIncludingNestedOnes) {
  const Bytes group = testing::key(7, 3) + testing::f_varint(1, 1) + testing::key(8, 3) +
                      testing::f_bytes(2, "zz") + testing::key(8, 4) + testing::key(7, 4);
  const char* err = "unset";
  const auto fields = walk(testing::f_varint(1, 5) + group + testing::f_varint(2, 6), &err);
  EXPECT_EQ(err, nullptr);
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[2].bits, 6u);

  // Mismatched or missing end-group, stray end-group, and nesting beyond the limit.
  EXPECT_EQ(walk(testing::key(7, 3) + testing::key(9, 4), &err).size(), 0u);
  EXPECT_NE(err, nullptr);
  EXPECT_EQ(walk(testing::key(7, 3) + testing::f_varint(1, 1), &err).size(), 0u);
  EXPECT_NE(err, nullptr);
  EXPECT_EQ(walk(testing::key(7, 4), &err).size(), 0u);
  EXPECT_NE(err, nullptr);
  Bytes deep;
  for (int i = 0; i < 100; ++i) deep += testing::key(3, 3);
  for (int i = 0; i < 100; ++i) deep += testing::key(3, 4);
  EXPECT_EQ(walk(deep, &err).size(), 0u);
  EXPECT_NE(err, nullptr);
}

TEST(ProtoWire, PackedHelpers) {
  std::vector<uint64_t> got;
  EXPECT_TRUE(for_each_packed_fixed(as_span(testing::le(1, 4) + testing::le(2, 4)), 4,
                                    [&](uint64_t b) { got.push_back(b); }));
  EXPECT_EQ(got, (std::vector<uint64_t>{1, 2}));
  EXPECT_FALSE(for_each_packed_fixed(as_span(Bytes("12345")), 4, [](uint64_t) {}));
  got.clear();
  EXPECT_TRUE(for_each_packed_varint(as_span(testing::varint(300) + testing::varint(1)),
                                     [&](uint64_t v) { got.push_back(v); }));
  EXPECT_EQ(got, (std::vector<uint64_t>{300, 1}));
  EXPECT_FALSE(for_each_packed_varint(as_span(Bytes("\x80")), [](uint64_t) {}));
}

// Random input: the walk always ends, never reads out of bounds (ASan/valgrind would show it),
// and every returned length-delimited payload lies inside the input.
TEST(ProtoWire, FuzzRandomBytes) {
  std::mt19937 rng(11);
  for (int iter = 0; iter < 20000; ++iter) {
    Bytes b(rng() % 64, '\0');
    for (auto& c : b) c = static_cast<char>(rng() % 4 == 0 ? 0x80 | rng() : rng());
    const auto s = as_span(b);
    Reader r(s);
    Field f;
    int n = 0;
    while (r.next(f)) {
      ASSERT_LE(++n, 64);  // each field consumes at least one byte
      if (f.type == WireType::len) {
        ASSERT_GE(f.bytes.data(), s.data());
        ASSERT_LE(f.bytes.data() + f.bytes.size(), s.data() + s.size());
      }
    }
  }
}

}  // namespace
}  // namespace hub::tensorboard::proto
