#include "storage/xet/chunker.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <vector>

namespace hub::storage::xet {
namespace {

// XET.md §2.7's LCG input.
std::vector<uint8_t> lcg(size_t n) {
  std::vector<uint8_t> v(n);
  uint64_t x = 0;
  for (auto& b : v) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    b = static_cast<uint8_t>(x >> 56);
  }
  return v;
}

TEST(XetChunker, LcgMegabyteMatchesXetCore) {
  auto data = lcg(1000000);
  ASSERT_EQ(data[0], 0x14);
  ASSERT_EQ(data[7], 0x5b);
  const std::vector<std::pair<size_t, std::string>> want = {
      {126665, "035444c6dd21a3e30505ebc67372dc99fbe8a694abc41939defa621157c1d957"},
      {17166, "ff5aebc82f78c218a0efdba44646be9f12042a678f6289dc88f5936c4e4cd504"},
      {21362, "0efc9dc8d72abad5c1c0e000009f3792ebfe6110c2d449694aaba9b124d2a6c7"},
      {116488, "59ae93f0dabfd750629b548d0052d92a613dbde11c91c82bab5fae54d1f61e39"},
      {27293, "fdea882307fbbec9f023d25ccb0cd4e6d97a988bc681df4f46b4261c706385d1"},
      {27282, "2255abd1e1454bad2fa8976c20ce2c18d6935ac2b651823bd4c10e977c8a123e"},
      {84392, "e00feac1efe2cd314927918fa124c56daf4f63c41864e3384170ed805e4425b4"},
      {11430, "0d65adb67395677435b9e42e0a91a4a3393f8145e5cb7f02c6ad420f1cf92889"},
      {76004, "aedbaee0a9c2f22cf991cb5c375d6522fe77832dac316d294d54296a98fb6252"},
      {67956, "e2faa7440ded586f801ed221e99b38fe9703ad9210107c4f2c1050e7b8675d7f"},
      {45352, "afb9663e6af61daa60c94a6e3ccd9ab9de6baf438150df12c7766543011626fa"},
      {44923, "fae12f8d1bb92c4e6fc4ab37455cc28a2bc74ca2674335be8f96b2a69476c30c"},
      {15778, "ad996b3bce24686e3f2fcc188a39eeff05c6756577c54af59e85590b7e93ab07"},
      {38694, "9f4730a322034c180c3fe27cc0747becb3a9d8a2bddaae19acd67db2aaa6fef1"},
      {14341, "67fb361085d823f064b74c0fb811f5a241d4764fa5d4788c5f9da7441e92108e"},
      {17701, "adc2ffa29304b11bc3e67a78c8821e4d9d4c47885684a6441bd3afa870f5de45"},
      {10612, "b058ee698e5e005bee09e2f2677c617840f023adebfd2cc333cdca14c0a00ac2"},
      {91469, "061880d49004f153a0d4b1726c1f937e0b70e7dbbd3e1d13e57d53704cb51e18"},
      {96534, "209c96b504d6c7feec00bccd9921904f51d86b71c102ab0a59b1ff73930f52ea"},
      {14402, "73f8952254d2b786c2dfc2eb2963a58e167176fa16a27b980e7ccd960ca07cd3"},
      {27899, "a1828d9c80f91d23529bb7045c5fdbac3c8d7032bf500ed42dd62ca804c9fbd8"},
      {6257, "94a3eb5f36e4f243657808474fbd3f88a7dff85edac314de5d19bd02bebfee93"}};
  auto chunks = chunk_and_hash(data);
  ASSERT_EQ(chunks.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(chunks[i].size, want[i].first) << "chunk " << i;
    EXPECT_EQ(to_xhex(chunks[i].hash), want[i].second) << "chunk " << i;
  }
  EXPECT_EQ(to_xhex(xorb_hash(chunks)), "0cfdfc24b6c6fdec6db00e3fe91f4536b0ec8107633720aed23d84b45640537a");
  EXPECT_EQ(to_xhex(xorb_hash(std::span(chunks).first(3))),
            "0fad3eae2dbcdf200b3c2b072bd2a69126f0bd9064ba99c771ae259ac3c7c555");
  EXPECT_EQ(to_xhex(file_hash(chunks)), "f06e3cc6ee162cf9b8680c25a69c81c4cdd709c7bf09dbe3716aea27ae77d411");
  std::vector<MerkleHash> hashes;
  for (auto& c : chunks) hashes.push_back(c.hash);
  EXPECT_EQ(to_xhex(verification_hash(hashes)),
            "3a2e071926576922ca8e13c30efcb4b7fa448f0e40c94ed17d2b5dd702cec8f4");
  EXPECT_EQ(to_xhex(verification_hash(std::span(hashes).subspan(1, 3))),
            "3a1769ccb306121cc179fe483ad5d99de247138570878961bc0e35492405dc89");
}

TEST(XetChunker, StreamingInAnyPiecesGivesTheSameCuts) {
  auto data = lcg(3000000);
  auto want = chunk_lengths(data);
  std::mt19937 rng(7);
  for (size_t max_piece : {1ul, 63ul, 8127ul, 8192ul, 65536ul, 200000ul}) {
    Chunker c;
    std::vector<size_t> got;
    size_t chunk = 0;  // bytes of the current chunk fed so far
    size_t pos = 0;
    while (pos < data.size()) {
      size_t piece = std::min(data.size() - pos, 1 + rng() % max_piece);
      std::span<const uint8_t> in(data.data() + pos, piece);
      while (!in.empty()) {
        auto cut = c.next_cut(in);
        if (!cut) {
          chunk += in.size();
          break;
        }
        got.push_back(chunk + *cut);
        chunk = 0;
        in = in.subspan(*cut);
      }
      pos += piece;
    }
    EXPECT_EQ(c.pending(), chunk);
    if (chunk) got.push_back(chunk);
    EXPECT_EQ(got, want) << "pieces up to " << max_piece;
    if (max_piece == 1) break;  // byte by byte is slow; once is enough
  }
}

TEST(XetChunker, ChunksStayWithinTheLimitsAndCoverTheInput) {
  std::mt19937_64 rng(1);
  std::vector<uint8_t> data(4 << 20);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  auto lens = chunk_lengths(data);
  EXPECT_EQ(std::accumulate(lens.begin(), lens.end(), size_t{0}), data.size());
  for (size_t i = 0; i + 1 < lens.size(); ++i) {
    EXPECT_GE(lens[i], kMinChunk);
    EXPECT_LE(lens[i], kMaxChunk);
  }
  // ~64 KiB on average over random data.
  EXPECT_GT(lens.size(), data.size() / kMaxChunk);
  EXPECT_LT(lens.size(), data.size() / (kMinChunk * 2));
}

TEST(XetChunker, ShortAndConstantInputs) {
  EXPECT_TRUE(chunk_lengths({}).empty());
  std::vector<uint8_t> one = {7};
  EXPECT_EQ(chunk_lengths(one), std::vector<size_t>{1});
  // A constant run never matches the mask: cuts at the maximum only.
  std::vector<uint8_t> same(kMaxChunk * 2, 0xab);
  EXPECT_EQ(chunk_lengths(same), (std::vector<size_t>{kMaxChunk, kMaxChunk}));
  same.push_back(0xab);
  EXPECT_EQ(chunk_lengths(same), (std::vector<size_t>{kMaxChunk, kMaxChunk, 1}));
}

// An edit moves the cuts only near itself: the chunks before and (soon) after it are unchanged.
TEST(XetChunker, AnEditChangesOnlyNearbyChunks) {
  auto a = lcg(2000000);
  auto b = a;
  for (size_t i = 1000000; i < 1000100; ++i) b[i] ^= 0x5a;
  auto ca = chunk_and_hash(a), cb = chunk_and_hash(b);
  size_t shared = 0;
  for (auto& x : cb)
    for (auto& y : ca)
      if (x.hash == y.hash) {
        ++shared;
        break;
      }
  EXPECT_GE(shared + 2, cb.size());
  EXPECT_LT(shared, cb.size());
}

}  // namespace
}  // namespace hub::storage::xet
