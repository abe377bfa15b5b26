#include "storage/xet/shard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "core/hash.h"
#include "storage/xet/chunker.h"

namespace hub::storage::xet {
namespace {

MerkleHash hash_of(int i) {
  MerkleHash h;
  for (int b = 0; b < 32; ++b) h.bytes[b] = static_cast<uint8_t>(i * 31 + b);
  return h;
}

// One file of two terms over two xorbs, with verification hashes and its sha256, the way hf_xet
// describes an upload.
Shard sample() {
  std::vector<uint8_t> data(500000);
  std::mt19937_64 rng(5);
  for (auto& b : data) b = uint8_t(rng());
  auto chunks = chunk_and_hash(data);
  EXPECT_GE(chunks.size(), 4u);
  size_t split = chunks.size() / 2;
  std::span<const ChunkRef> all(chunks), a = all.first(split), b = all.subspan(split);
  Shard s;
  ShardFile f;
  f.file_hash = file_hash(all);
  f.flags = kFileFlagVerification | kFileFlagMetadataExt;
  for (auto part : {a, b}) {
    ShardXorb x;
    x.hash = xorb_hash(part);
    uint32_t off = 0;
    std::vector<MerkleHash> hashes;
    for (auto& c : part) {
      x.chunks.push_back({c.hash, off, uint32_t(c.size), is_dedup_eligible(c.hash) ? kChunkFlagGlobalDedup : 0});
      off += uint32_t(c.size);
      hashes.push_back(c.hash);
    }
    x.num_bytes_in_xorb = off;
    f.terms.push_back({x.hash, 0, off, 0, uint32_t(part.size())});
    f.verification.push_back(verification_hash(hashes));
    s.xorbs.push_back(std::move(x));
  }
  auto sha = sha256_hex({reinterpret_cast<const char*>(data.data()), data.size()});
  f.sha256 = parse_xhex(sha);
  s.files.push_back(std::move(f));
  return s;
}

void expect_same(const Shard& a, const Shard& b) {
  ASSERT_EQ(a.files.size(), b.files.size());
  for (size_t i = 0; i < a.files.size(); ++i) {
    EXPECT_EQ(a.files[i].file_hash, b.files[i].file_hash);
    EXPECT_EQ(a.files[i].flags, b.files[i].flags);
    EXPECT_EQ(a.files[i].verification, b.files[i].verification);
    EXPECT_EQ(a.files[i].sha256, b.files[i].sha256);
    ASSERT_EQ(a.files[i].terms.size(), b.files[i].terms.size());
    for (size_t t = 0; t < a.files[i].terms.size(); ++t) {
      EXPECT_EQ(a.files[i].terms[t].xorb, b.files[i].terms[t].xorb);
      EXPECT_EQ(a.files[i].terms[t].unpacked_bytes, b.files[i].terms[t].unpacked_bytes);
      EXPECT_EQ(a.files[i].terms[t].chunk_start, b.files[i].terms[t].chunk_start);
      EXPECT_EQ(a.files[i].terms[t].chunk_end, b.files[i].terms[t].chunk_end);
    }
  }
  ASSERT_EQ(a.xorbs.size(), b.xorbs.size());
  for (size_t i = 0; i < a.xorbs.size(); ++i) {
    EXPECT_EQ(a.xorbs[i].hash, b.xorbs[i].hash);
    EXPECT_EQ(a.xorbs[i].num_bytes_in_xorb, b.xorbs[i].num_bytes_in_xorb);
    ASSERT_EQ(a.xorbs[i].chunks.size(), b.xorbs[i].chunks.size());
    for (size_t c = 0; c < a.xorbs[i].chunks.size(); ++c) {
      EXPECT_EQ(a.xorbs[i].chunks[c].hash, b.xorbs[i].chunks[c].hash);
      EXPECT_EQ(a.xorbs[i].chunks[c].byte_range_start, b.xorbs[i].chunks[c].byte_range_start);
      EXPECT_EQ(a.xorbs[i].chunks[c].unpacked_bytes, b.xorbs[i].chunks[c].unpacked_bytes);
      EXPECT_EQ(a.xorbs[i].chunks[c].flags, b.xorbs[i].chunks[c].flags);
    }
  }
}

TEST(XetShard, UploadFormRoundTrips) {
  Shard s = sample();
  auto body = serialize_shard(s);
  // header + file (header, 2 terms, 2 verifications, sha256) + bookend + 2 xorbs + bookend
  size_t records = 1 + (1 + 2 + 2 + 1) + 1 + (2 + s.xorbs[0].chunks.size() + s.xorbs[1].chunks.size()) + 1;
  EXPECT_EQ(body.size(), records * kShardRecordSize);
  auto back = parse_shard(body);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_FALSE(back->footer);
  expect_same(s, *back);
  // The sha256 reads back as the ordinary hex digest.
  EXPECT_EQ(to_xhex(*back->files[0].sha256), to_xhex(*s.files[0].sha256));
}

TEST(XetShard, DedupReplyFormCarriesItsFooter) {
  Shard s = sample();
  s.files.clear();  // a dedup reply offers xorbs only
  s.footer = ShardFooter{hash_of(7), 1700000000, 1700604800};
  auto body = serialize_shard(s);
  // The header announces the footer; the footer's last u64 is its own offset.
  EXPECT_EQ(body[40], kShardFooterSize);
  uint64_t footer_offset = 0;
  std::memcpy(&footer_offset, body.data() + body.size() - 8, 8);
  EXPECT_EQ(footer_offset, body.size() - kShardFooterSize);
  auto back = parse_shard(body);
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_TRUE(back->footer);
  EXPECT_EQ(back->footer->chunk_hmac_key, hash_of(7));
  EXPECT_EQ(back->footer->creation_unix, 1700000000u);
  EXPECT_EQ(back->footer->key_expiry_unix, 1700604800u);
  expect_same(s, *back);
}

TEST(XetShard, LookupTablesBeforeTheFooterAreSkipped) {
  Shard s = sample();
  s.footer = ShardFooter{};
  auto body = serialize_shard(s);
  // A full shard as xet-core writes it to disk: lookup tables between CAS bookend and footer.
  body.insert(body.end() - kShardFooterSize, 36, 0x5a);
  auto back = parse_shard(body);
  ASSERT_TRUE(back) << back.error().message;
  expect_same(s, *back);
}

TEST(XetShard, EveryTruncationIsRefused) {
  for (bool footer : {false, true}) {
    Shard s = sample();
    if (footer) s.footer = ShardFooter{};
    auto body = serialize_shard(s);
    for (size_t n = 0; n < body.size(); ++n) {
      auto r = parse_shard(std::span(body).first(n));
      ASSERT_FALSE(r) << "prefix of " << n << " bytes parsed";
      EXPECT_EQ(r.error().code, Errc::corrupt);
    }
  }
}

TEST(XetShard, MalformedFieldsAreRefused) {
  auto good = serialize_shard(sample());
  ASSERT_TRUE(parse_shard(good));
  auto refused = [&](auto mutate, const char* why) {
    auto b = good;
    mutate(b);
    auto r = parse_shard(b);
    EXPECT_FALSE(r) << why;
  };
  refused([](auto& b) { b[0] ^= 1; }, "tag");
  refused([](auto& b) { b[32] = 3; }, "header version");
  refused([](auto& b) { b[40] = 100; }, "footer size");
  refused([](auto& b) { b.push_back(0); }, "trailing byte");
  // The file's entry count (u32 at record 1 + 36): far past the end, and one too many.
  refused([](auto& b) { b[48 + 36 + 3] = 0xff; }, "huge entry count");
  refused([](auto& b) { b[48 + 36] += 1; }, "entry count off by one");
  // First term (record 2): chunk_start (at +40) ≥ chunk_end (at +44).
  refused([](auto& b) { std::memcpy(&b[96 + 40], &b[96 + 44], 4); }, "empty chunk range");
  // The CAS header's chunk count (record 8: header, 6 file records, bookend).
  refused([](auto& b) { b[8 * 48 + 36 + 3] = 0x7f; }, "huge chunk count");
  // Without its CAS bookend.
  refused([](auto& b) { b.resize(b.size() - kShardRecordSize); }, "no CAS bookend");
}

// Found by fuzzing: a record named by the bookend hash with non-zero trailing bytes used to be
// read as a file, which then serialized as a bookend. It is a bookend.
TEST(XetShard, TheBookendHashEndsASectionWhateverFollowsIt) {
  auto body = serialize_shard(sample());
  body[48 * 7 - 1] = 0x7c;  // the file section's bookend (record 6), last reserved byte
  auto s = parse_shard(body);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->files.size(), 1u);
  EXPECT_EQ(s->xorbs.size(), 2u);
}

TEST(XetShard, EmptyShardIsJustHeaderAndBookends) {
  Shard s;
  auto body = serialize_shard(s);
  EXPECT_EQ(body.size(), 3 * kShardRecordSize);
  auto back = parse_shard(body);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->files.empty());
  EXPECT_TRUE(back->xorbs.empty());
}

}  // namespace
}  // namespace hub::storage::xet

namespace hub::storage::xet {
namespace {

TEST(XetShard, DedupReplyCarriesOnlyKeyedChunkHashes) {
  Shard s = sample();
  MerkleHash key = hash_of(9);
  auto body = dedup_reply_shard(s.xorbs, key, 1000, 3600);
  auto back = parse_shard(body);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(back->files.empty());
  ASSERT_TRUE(back->footer);
  EXPECT_EQ(back->footer->chunk_hmac_key, key);
  EXPECT_EQ(back->footer->creation_unix, 1000u);
  EXPECT_EQ(back->footer->key_expiry_unix, 4600u);
  ASSERT_EQ(back->xorbs.size(), s.xorbs.size());
  for (size_t x = 0; x < s.xorbs.size(); ++x) {
    EXPECT_EQ(back->xorbs[x].hash, s.xorbs[x].hash);
    ASSERT_EQ(back->xorbs[x].chunks.size(), s.xorbs[x].chunks.size());
    for (size_t c = 0; c < s.xorbs[x].chunks.size(); ++c) {
      EXPECT_EQ(back->xorbs[x].chunks[c].hash, hmac(s.xorbs[x].chunks[c].hash, key));
      EXPECT_NE(back->xorbs[x].chunks[c].hash, s.xorbs[x].chunks[c].hash);
      EXPECT_EQ(back->xorbs[x].chunks[c].unpacked_bytes, s.xorbs[x].chunks[c].unpacked_bytes);
    }
  }
  // No raw chunk hash appears anywhere in the bytes.
  for (auto& x : s.xorbs)
    for (auto& c : x.chunks)
      EXPECT_EQ(std::search(body.begin(), body.end(), c.hash.bytes.begin(), c.hash.bytes.end()), body.end());
}

}  // namespace
}  // namespace hub::storage::xet
