#include "storage/xet/blake3.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "core/hash.h"
#include "storage/xet/oracle.h"

namespace hub::storage::xet {
namespace {

std::vector<uint8_t> pattern(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(i % 251);
  return v;
}

std::string hex(const Digest32& d) { return hex_encode(d); }

// The key of the official test vectors ("whats the Elvish word for friend").
const std::string kKeyText = "whats the Elvish word for friend";
std::array<uint8_t, 32> key() {
  std::array<uint8_t, 32> k;
  std::copy(kKeyText.begin(), kKeyText.end(), k.begin());
  return k;
}

// Lengths around every boundary the implementation has: blocks (64), chunks (1024), the 8-chunk
// SIMD batches (8192), subtree merges (powers of two chunks) and a few MiB.
const std::vector<size_t> kLengths = {0,    1,    63,   64,   65,    1023,  1024,  1025,   2048,
                                      2049, 3072, 3073, 4096, 4097,  7168,  8191,  8192,   8193,
                                      9216, 9217, 16384, 16385, 31744, 65536, 102400, 131072,
                                      131073, 1048576, 3 * 1048576 + 17};

TEST(XetBlake3, EmptyAndOneByteMatchTheSpecVectors) {
  EXPECT_EQ(hex(blake3({})), "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262");
  auto one = pattern(1);
  EXPECT_EQ(hex(blake3(one)), "2d3adedff11b61f14c886e35afa036736dcd87a74d27b5c1510225d0f592e213");
}

TEST(XetBlake3, MatchesBlake3JitPlainAndKeyed) {
  if (!testing::have_oracles()) GTEST_SKIP() << "no " << testing::node_modules() << " (scripts/npm-deps.sh)";
  std::string lens;
  for (size_t n : kLengths) lens += " " + std::to_string(n);
  for (bool keyed : {false, true}) {
    bool ok = false;
    std::string arg = keyed ? hex_encode(kKeyText) : "-";
    std::istringstream out(testing::run_oracle("blake3_oracle.mjs", arg + lens, &ok));
    ASSERT_TRUE(ok);
    for (size_t n : kLengths) {
      std::string want;
      ASSERT_TRUE(out >> want);
      auto in = pattern(n);
      EXPECT_EQ(keyed ? hex(blake3_keyed(key(), in)) : hex(blake3(in)), want)
          << (keyed ? "keyed " : "plain ") << n << " bytes";
    }
  }
}

TEST(XetBlake3, StreamingInAnyPiecesEqualsOneShot) {
  auto in = pattern(100000);
  Digest32 want = blake3_keyed(key(), in);
  for (size_t piece : {1, 7, 64, 65, 1000, 1024, 8192, 8193, 50000}) {
    Blake3 h(key());
    for (size_t off = 0; off < in.size(); off += piece)
      h.update(in.data() + off, std::min(piece, in.size() - off));
    EXPECT_EQ(hex(h.finish()), hex(want)) << "pieces of " << piece;
  }
}

TEST(XetBlake3, FinishDoesNotEndTheStream) {
  auto in = pattern(20000);
  Blake3 h;
  h.update(in.data(), 5000);
  EXPECT_EQ(hex(h.finish()), hex(blake3(std::span(in).first(5000))));
  h.update(in.data() + 5000, in.size() - 5000);
  EXPECT_EQ(hex(h.finish()), hex(blake3(in)));
}

}  // namespace
}  // namespace hub::storage::xet
