#include "storage/xet/hash.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/xet/chunker.h"

namespace hub::storage::xet {
namespace {

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
MerkleHash h(std::string_view xhex) {
  auto v = parse_xhex(xhex);
  EXPECT_TRUE(v) << xhex;
  return v.value_or(MerkleHash{});
}

TEST(XetHash, XhexReversesEachEightByteGroup) {
  MerkleHash m;
  for (int i = 0; i < 32; ++i) m.bytes[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(to_xhex(m), "07060504030201000f0e0d0c0b0a090817161514131211101f1e1d1c1b1a1918");
  EXPECT_EQ(parse_xhex(to_xhex(m)), m);
  // Upper case is read (clients' tests send it), lower case written.
  EXPECT_EQ(parse_xhex("07060504030201000F0E0D0C0B0A090817161514131211101F1E1D1C1B1A1918"), m);
}

TEST(XetHash, ParseRefusesAnythingButSixtyFourHexDigits) {
  EXPECT_FALSE(parse_xhex(""));
  EXPECT_FALSE(parse_xhex(std::string(63, 'a')));
  EXPECT_FALSE(parse_xhex(std::string(65, 'a')));
  EXPECT_FALSE(parse_xhex(std::string(63, 'a') + "g"));
  EXPECT_FALSE(parse_xhex(std::string(63, 'a') + " "));
  EXPECT_FALSE(parse_xhex(std::string(31, 'a') + std::string(1, '\0') + std::string(32, 'a')));
  EXPECT_FALSE(parse_xhex("../" + std::string(61, 'a')));
  EXPECT_TRUE(parse_xhex(std::string(64, '0')));
}

// XET.md §2.7, computed by xet-core itself.
TEST(XetHash, HelloWorldVectors) {
  auto chunks = chunk_and_hash(bytes("Hello World!"));
  ASSERT_EQ(chunks.size(), 1u);
  EXPECT_EQ(chunks[0].size, 12u);
  EXPECT_EQ(to_xhex(chunks[0].hash), "d8d408e608fb9ca213b9909a65d86d725f2de4d8d540324be8a363e7a6e228cb");
  EXPECT_EQ(hub::storage::xet::to_xhex(xorb_hash(chunks)), to_xhex(chunks[0].hash));
  EXPECT_EQ(to_xhex(file_hash(chunks)), "a9dae0ad88b060bdd7e7c87abdcf95b132c95a0414b06d4f6beb68d287b87165");
  MerkleHash one_chunk[] = {chunks[0].hash};
  EXPECT_EQ(to_xhex(verification_hash(one_chunk)),
            "89cb63458e98cb4c75be6b50a5a7b7234b82f05d5348e6925fb71aaf5dc3862b");
  MerkleHash key;
  key.bytes.fill(1);
  EXPECT_EQ(to_xhex(hmac(chunks[0].hash, key)), "a5bc94cadf735f5a5825e618e1bf9326e5fb4b37bb47c589b496bcf9a92d7674");
}

TEST(XetHash, ZerosVectors) {
  std::vector<uint8_t> zeros(300000);
  auto chunks = chunk_and_hash(zeros);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].size, 131072u);
  EXPECT_EQ(chunks[1].size, 131072u);
  EXPECT_EQ(chunks[2].size, 37856u);
  EXPECT_EQ(to_xhex(chunks[0].hash), "2e39f13c248013b27e22913ba2893a654120ed0ad8eb7ecbf3f05b9d708634fc");
  EXPECT_EQ(chunks[1].hash, chunks[0].hash);
  EXPECT_EQ(to_xhex(chunks[2].hash), "9b0a79fb7a9b2632483530fce1c82092edd9b94a8690abc12f700bc530d950b0");
  EXPECT_EQ(to_xhex(xorb_hash(chunks)), "c2c391c2780688107997606ed6798520928296386f08a43bdf7e28cd1b06b37b");
  EXPECT_EQ(to_xhex(file_hash(chunks)), "3d7bd4178bc2851ba07d59c24c3a88ae0c7220e9920d6c5c6a06b01556d46404");
}

TEST(XetHash, EmptyIsAllZero) {
  EXPECT_TRUE(chunk_and_hash({}).empty());
  EXPECT_TRUE(xorb_hash({}).is_zero());
  EXPECT_TRUE(file_hash({}).is_zero());
}

// xet-core merklehash/aggregated_hashes.rs test_correctness, three leaves.
TEST(XetHash, MerkleOfThreeLeaves) {
  std::vector<ChunkRef> leaves = {
      {h("cfc5d07f6f03c29bbf424132963fe08d19a37d5757aaf520bf08119f05cd56d6"), 100},
      {h("c3e67584b5c4fc2a89837ec39e40f2c8a6bb0b2987ac94cd4b31e5fbdd210a72"), 200},
      {h("0d2beb91b9196929a5ddec9f6e306924ddf4a24268e3e59fd8464738d525af37"), 300}};
  EXPECT_EQ(to_xhex(xorb_hash(leaves)), "71ec1275fca074724e2dd666921b3277c7cee603e4d025bcab2d4050015be2bc");
  EXPECT_EQ(to_xhex(file_hash(leaves)), "54e55dccc6653c612bdb5576c5d3cb34bb31bc4e100248abccf4c908b3ef7715");
}

TEST(XetHash, DedupEligibilityIsTheLastWordModulo1024) {
  MerkleHash m;
  EXPECT_TRUE(is_dedup_eligible(m));
  m.bytes[24] = 1;  // low byte of the last little-endian word
  EXPECT_FALSE(is_dedup_eligible(m));
  m.bytes[24] = 0;
  m.bytes[25] = 4;  // 1024
  EXPECT_TRUE(is_dedup_eligible(m));
  m.bytes[0] = 0xff;  // other words do not count
  EXPECT_TRUE(is_dedup_eligible(m));
  EXPECT_EQ(m.last_u64(), 1024u);
}

}  // namespace
}  // namespace hub::storage::xet
