#include "storage/xet/xorb.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "storage/xet/chunker.h"

namespace hub::storage::xet {
namespace {

std::vector<uint8_t> random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

// Float-like data: low bytes random, high bytes nearly constant — what BG4 is for.
std::vector<uint8_t> floats(size_t n) {
  std::vector<uint8_t> v(n);
  std::mt19937 rng(3);
  for (size_t i = 0; i < n; ++i) v[i] = (i % 4 == 3) ? 0x3f : (i % 4 == 2 ? 0x80 : uint8_t(rng()));
  return v;
}

std::vector<std::span<const uint8_t>> split(const std::vector<uint8_t>& data) {
  std::vector<std::span<const uint8_t>> out;
  size_t pos = 0;
  for (size_t len : chunk_lengths(data)) {
    out.push_back(std::span(data).subspan(pos, len));
    pos += len;
  }
  return out;
}

void expect_invalid(const std::vector<uint8_t>& body, const std::string& why) {
  auto r = parse_xorb(body);
  ASSERT_FALSE(r) << why;
  EXPECT_TRUE(r.error().code == Errc::corrupt || r.error().code == Errc::too_large) << why;
}

TEST(XetXorb, HelloWorldIsStoredUncompressed) {
  std::string s = "Hello World!";
  std::vector<uint8_t> data(s.begin(), s.end());
  auto body = serialize_xorb(split(data));
  std::vector<uint8_t> want = {0, 12, 0, 0, 0, 12, 0, 0};
  want.insert(want.end(), data.begin(), data.end());
  EXPECT_EQ(body, want);  // XET.md §2.7: LZ4 would be larger
  auto idx = parse_xorb(body);
  ASSERT_TRUE(idx) << idx.error().message;
  EXPECT_EQ(to_xhex(idx->hash), "d8d408e608fb9ca213b9909a65d86d725f2de4d8d540324be8a363e7a6e228cb");
  EXPECT_EQ(idx->serialized_size, 20u);
}

TEST(XetXorb, EverySchemeRoundTripsToTheSameHash) {
  std::vector<uint8_t> data = random_bytes(300000, 1);
  auto f = floats(400000);
  data.insert(data.end(), f.begin(), f.end());
  data.insert(data.end(), 200000, 0);
  auto chunks = split(data);
  std::vector<ChunkRef> refs = chunk_and_hash(data);
  MerkleHash want = xorb_hash(refs);
  for (auto scheme : {Compression::none, Compression::lz4, Compression::bg4_lz4}) {
    auto body = serialize_xorb(chunks, scheme);
    auto idx = parse_xorb(body);
    ASSERT_TRUE(idx) << idx.error().message;
    EXPECT_EQ(idx->hash, want);
    EXPECT_EQ(idx->chunks.size(), chunks.size());
    EXPECT_EQ(idx->uncompressed_size, data.size());
    EXPECT_EQ(idx->serialized_size, body.size());
    // The index locates every chunk, and each decodes to its bytes.
    size_t upos = 0;
    bool compressed_some = false;
    for (size_t i = 0; i < chunks.size(); ++i) {
      const auto& c = idx->chunks[i];
      EXPECT_EQ(c.hash, refs[i].hash);
      compressed_some |= c.scheme != Compression::none;
      std::vector<uint8_t> out;
      ASSERT_TRUE(decode_chunk(c.scheme, std::span(body).subspan(c.offset + 8, c.compressed_size),
                               c.uncompressed_size, out));
      EXPECT_TRUE(std::equal(out.begin(), out.end(), data.begin() + upos));
      upos += c.uncompressed_size;
    }
    EXPECT_EQ(compressed_some, scheme != Compression::none);
  }
}

TEST(XetXorb, OldFooterIsStripped) {
  auto data = random_bytes(100000, 2);
  auto body = serialize_xorb(split(data));
  size_t chunks_end = body.size();
  std::string footer = "XETBLOB\x01 and whatever follows";
  body.insert(body.end(), footer.begin(), footer.end());
  auto idx = parse_xorb(body);
  ASSERT_TRUE(idx) << idx.error().message;
  EXPECT_EQ(idx->serialized_size, chunks_end);
  EXPECT_EQ(idx->hash, xorb_hash(chunk_and_hash(data)));
}

TEST(XetXorb, MalformedBodiesAreRefused) {
  auto data = random_bytes(200000, 4);
  auto good = serialize_xorb(split(data), Compression::lz4);
  ASSERT_TRUE(parse_xorb(good));
  expect_invalid({}, "empty");
  expect_invalid({0, 1, 0}, "truncated header");
  for (size_t cut : {size_t{7}, size_t{8}, size_t{9}, good.size() / 2, good.size() - 1})
    expect_invalid(std::vector<uint8_t>(good.begin(), good.begin() + cut), "truncated at " + std::to_string(cut));
  auto bad = good;
  bad[0] = 1;
  expect_invalid(bad, "version 1");
  bad = good;
  bad[4] = 3;
  expect_invalid(bad, "scheme 3");
  bad = good;
  bad[5] = 0, bad[6] = 0, bad[7] = 0;
  expect_invalid(bad, "uncompressed size 0");
  bad = good;
  bad[7] = 0x10;  // uncompressed size > 128 KiB
  expect_invalid(bad, "uncompressed size too big");
  bad = good;
  bad[5] ^= 1;  // stated size one off from what the frame decodes to
  expect_invalid(bad, "size mismatch");
  bad = good;
  bad[20] ^= 0xff;  // inside the first LZ4 frame
  auto r = parse_xorb(bad);
  EXPECT_TRUE(!r || r->hash != parse_xorb(good)->hash) << "a damaged frame decodes to the same content";
  // A stored (scheme 0) chunk whose compressed and uncompressed sizes differ.
  std::vector<uint8_t> stored = {0, 4, 0, 0, 0, 5, 0, 0, 'a', 'b', 'c', 'd'};
  expect_invalid(stored, "stored size mismatch");
  // LZ4 scheme on bytes that are no LZ4 frame.
  std::vector<uint8_t> notlz4 = {0, 4, 0, 1, 0, 4, 0, 0, 'a', 'b', 'c', 'd'};
  expect_invalid(notlz4, "not a frame");
  // A frame that decodes to more than stated (valid frame, wrong header size).
  std::vector<uint8_t> rep(5000, 'x');
  auto framed = serialize_xorb(std::vector<std::span<const uint8_t>>{rep}, Compression::lz4);
  ASSERT_EQ(framed[4], 1);
  framed[5] = 0x10, framed[6] = 0x0f;  // 3856 instead of 5000
  expect_invalid(framed, "frame longer than stated");
  framed[5] = 0x89, framed[6] = 0x13;  // 5001
  expect_invalid(framed, "frame shorter than stated");
  // Trailing garbage that is not a footer.
  auto trail = good;
  trail.push_back(0);
  expect_invalid(trail, "trailing byte");
}

TEST(XetXorb, SizeLimits) {
  // 64 MiB + one more chunk of stored bytes: too large, refused from the headers alone.
  std::vector<uint8_t> chunk(kMaxChunkUncompressed, 0);
  std::mt19937_64 rng(9);
  for (auto& b : chunk) b = uint8_t(rng());
  std::vector<std::span<const uint8_t>> many((kMaxXorbBytes / (kMaxChunkUncompressed + 8)) + 1, chunk);
  auto body = serialize_xorb(many, Compression::none);
  auto r = parse_xorb(body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
  // Over the chunk count, in tiny chunks.
  std::vector<uint8_t> one = {'x'};
  std::vector<std::span<const uint8_t>> tiny(kMaxXorbChunks + 1, one);
  r = parse_xorb(serialize_xorb(tiny, Compression::none));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::too_large);
  tiny.pop_back();
  EXPECT_TRUE(parse_xorb(serialize_xorb(tiny, Compression::none)));
}

}  // namespace
}  // namespace hub::storage::xet
