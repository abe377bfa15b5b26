#include "storage/xet/shard_check.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "storage/xet/chunker.h"
#include "storage/xet/xorb.h"

namespace hub::storage::xet {
namespace {

// Two stored xorbs (real bytes through serialize/parse) and the shard an honest client would
// upload for a file made of xorb A's chunks [0,3) and xorb B's [1,end).
struct Fixture {
  std::map<MerkleHash, StoredXorb> stored;
  MerkleHash a, b;
  Shard shard;

  Fixture() {
    std::mt19937_64 rng(33);
    MerkleHash names[2];
    std::vector<ShardXorb> blocks;
    for (int x = 0; x < 2; ++x) {
      std::vector<uint8_t> data(600000);
      for (auto& byte : data) byte = uint8_t(rng());
      std::vector<std::span<const uint8_t>> chunks;
      size_t pos = 0;
      for (size_t len : chunk_lengths(data)) {
        chunks.push_back(std::span(data).subspan(pos, len));
        pos += len;
      }
      auto idx = *parse_xorb(serialize_xorb(chunks));
      StoredXorb s;
      ShardXorb block{idx.hash, 0, 0, 0, {}};
      for (auto& c : idx.chunks) {
        s.hashes.push_back(c.hash);
        s.sizes.push_back(c.uncompressed_size);
        block.chunks.push_back({c.hash, block.num_bytes_in_xorb, c.uncompressed_size, 0});
        block.num_bytes_in_xorb += c.uncompressed_size;
      }
      names[x] = idx.hash;
      stored[idx.hash] = std::move(s);
      blocks.push_back(std::move(block));
    }
    a = names[0];
    b = names[1];
    ShardFile f;
    f.flags = kFileFlagVerification;
    std::vector<ChunkRef> leaves;
    auto add = [&](const MerkleHash& x, uint32_t c0, uint32_t c1) {
      const auto& s = stored.at(x);
      std::vector<MerkleHash> range(s.hashes.begin() + c0, s.hashes.begin() + c1);
      uint32_t bytes = 0;
      for (uint32_t c = c0; c < c1; ++c) {
        bytes += s.sizes[c];
        leaves.push_back({s.hashes[c], s.sizes[c]});
      }
      f.terms.push_back({x, 0, bytes, c0, c1});
      f.verification.push_back(verification_hash(range));
    };
    add(a, 0, 3);
    add(b, 1, uint32_t(stored.at(b).hashes.size()));
    f.file_hash = file_hash(leaves);
    shard.files.push_back(f);
    shard.xorbs = blocks;
  }

  StoredXorbLookup lookup() const {
    return [this](const MerkleHash& h) -> const StoredXorb* {
      auto it = stored.find(h);
      return it == stored.end() ? nullptr : &it->second;
    };
  }
};

void expect_refused(const Shard& s, const Fixture& fx, Detail detail, const char* why) {
  auto r = verify_shard(s, fx.lookup());
  ASSERT_FALSE(r) << why;
  EXPECT_EQ(r.error().code, Errc::corrupt) << why;
  EXPECT_EQ(r.error().detail, detail) << why << ": " << r.error().message;
}

TEST(XetShardCheck, AnHonestShardVerifies) {
  Fixture fx;
  auto r = verify_shard(fx.shard, fx.lookup());
  EXPECT_TRUE(r) << r.error().message;
  // Files only (the xorbs already stored, e.g. deduplicated): still verifies.
  Shard files_only = fx.shard;
  files_only.xorbs.clear();
  EXPECT_TRUE(verify_shard(files_only, fx.lookup()));
}

TEST(XetShardCheck, MissingXorbs) {
  Fixture fx;
  Shard s = fx.shard;
  s.files[0].terms[1].xorb.bytes[3] ^= 1;
  expect_refused(s, fx, Detail::XorbNotFound, "term names an unknown xorb");
  s = fx.shard;
  s.xorbs[0].hash.bytes[3] ^= 1;
  expect_refused(s, fx, Detail::XorbNotFound, "CAS block names an unknown xorb");
}

TEST(XetShardCheck, CasBlocksMustMatchTheStoredXorbs) {
  Fixture fx;
  Shard s = fx.shard;
  s.xorbs[0].chunks[1].hash.bytes[0] ^= 1;
  expect_refused(s, fx, Detail::ShardVerificationFailed, "chunk hash");
  s = fx.shard;
  s.xorbs[0].chunks[1].byte_range_start += 1;
  expect_refused(s, fx, Detail::ShardVerificationFailed, "chunk offset");
  s = fx.shard;
  s.xorbs[1].chunks[0].unpacked_bytes -= 1;
  expect_refused(s, fx, Detail::ShardVerificationFailed, "chunk size");
  s = fx.shard;
  s.xorbs[1].num_bytes_in_xorb += 1;
  expect_refused(s, fx, Detail::ShardVerificationFailed, "xorb size");
  s = fx.shard;
  s.xorbs[1].chunks.pop_back();
  expect_refused(s, fx, Detail::ShardVerificationFailed, "chunk count");
}

TEST(XetShardCheck, TermsMustFitAndVerify) {
  Fixture fx;
  Shard s = fx.shard;
  s.files[0].terms[1].chunk_end += 1;
  expect_refused(s, fx, Detail::ShardVerificationFailed, "past the xorb's end");
  s = fx.shard;
  s.files[0].terms[0].chunk_start = s.files[0].terms[0].chunk_end;
  expect_refused(s, fx, Detail::ShardVerificationFailed, "empty range");
  s = fx.shard;
  s.files[0].terms[0].unpacked_bytes += 1;
  expect_refused(s, fx, Detail::ShardVerificationFailed, "term size");
  s = fx.shard;
  s.files[0].verification[1].bytes[31] ^= 1;
  expect_refused(s, fx, Detail::ShardVerificationFailed, "verification hash");
  s = fx.shard;
  s.files[0].flags = 0;
  s.files[0].verification.clear();
  expect_refused(s, fx, Detail::ShardVerificationFailed, "no verification hashes");
}

// Claiming another file's hash with terms over these chunks (to squat its name) fails, as does
// a term moved to another range with its verification hash recomputed (only the file hash knows).
TEST(XetShardCheck, TheFileHashMustBeTheTerms) {
  Fixture fx;
  Shard s = fx.shard;
  s.files[0].file_hash.bytes[0] ^= 1;
  expect_refused(s, fx, Detail::ShardVerificationFailed, "claimed file hash");
  s = fx.shard;
  auto& t = s.files[0].terms[0];
  const auto& stored = fx.stored.at(fx.a);
  t.chunk_start = 1;
  t.chunk_end = 4;
  t.unpacked_bytes = stored.sizes[1] + stored.sizes[2] + stored.sizes[3];
  s.files[0].verification[0] = verification_hash(std::vector<MerkleHash>(stored.hashes.begin() + 1, stored.hashes.begin() + 4));
  expect_refused(s, fx, Detail::ShardVerificationFailed, "terms of other bytes");
}

}  // namespace
}  // namespace hub::storage::xet
