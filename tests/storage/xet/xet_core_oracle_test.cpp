// hubd's chunking and hashing against xet-core's own code (its WebAssembly build, vendored in
// npm @huggingface/hub; see xet_core_oracle.mjs) on random and edge-case files: chunk cuts and
// hashes, xorb hash, file hash, verification hash, dedup HMAC.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "storage/xet/chunker.h"
#include "storage/xet/hash.h"
#include "storage/xet/oracle.h"

namespace hub::storage::xet {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng() >> 56);
  return v;
}

struct Case {
  std::string name;
  std::vector<uint8_t> data;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  out.push_back({"empty", {}});
  out.push_back({"one_byte", {0x42}});
  auto text = std::string("Hello World!");
  out.push_back({"hello", {text.begin(), text.end()}});
  for (size_t n : {kMinChunk - 1, kMinChunk, kMinChunk + 1, kMaxChunk - 1, kMaxChunk, kMaxChunk + 1})
    out.push_back({"zeros_" + std::to_string(n), std::vector<uint8_t>(n, 0)});
  for (size_t n : {kMinChunk - 1, kMinChunk, kMinChunk + 1, 3 * kMaxChunk + 5, size_t{1000003}})
    out.push_back({"random_" + std::to_string(n), random_bytes(n, n)});
  // A file that ends exactly at a content-defined cut, and one byte either side of it (the cut
  // position found by our chunker; the oracle decides whether it is one).
  auto r = random_bytes(2 << 20, 99);
  size_t cut = chunk_lengths(r)[0] + chunk_lengths(std::span(r).subspan(chunk_lengths(r)[0]))[0];
  for (size_t n : {cut - 1, cut, cut + 1}) out.push_back({"cut_" + std::to_string(n), {r.begin(), r.begin() + n}});
  // Where the gear hash matches below the minimum size (xet-core must not cut there: XET.md §8),
  // and low-entropy data: a short repeated pattern, and random runs between constant runs.
  std::vector<uint8_t> pattern(600000);
  for (size_t i = 0; i < pattern.size(); ++i) pattern[i] = static_cast<uint8_t>("abcdefg"[i % 7]);
  out.push_back({"pattern", pattern});
  std::vector<uint8_t> mixed;
  for (int i = 0; i < 20; ++i) {
    auto part = random_bytes(5000 + i * 7919, i);
    mixed.insert(mixed.end(), part.begin(), part.end());
    mixed.insert(mixed.end(), 3000 + i * 5000, static_cast<uint8_t>(i));
  }
  out.push_back({"mixed", mixed});
  // 64 MiB + a little: ~1000 chunks, a merkle tree several levels deep.
  out.push_back({"random_64mib", random_bytes((64 << 20) + 12345, 64)});
  return out;
}

TEST(XetCoreOracle, ChunksAndHashesMatchXetCore) {
  if (!testing::have_oracles()) GTEST_SKIP() << "no " << testing::node_modules() << " (scripts/npm-deps.sh)";
  fs::path dir = fs::temp_directory_path() / ("hubd-xet-oracle-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto all = cases();
  std::string args;
  for (auto& c : all) {
    std::ofstream(dir / c.name, std::ios::binary).write(reinterpret_cast<const char*>(c.data.data()), c.data.size());
    args += " '" + (dir / c.name).string() + "'";
  }
  bool ok = false;
  std::istringstream out(testing::run_oracle("xet_core_oracle.mjs", args, &ok));
  fs::remove_all(dir);
  ASSERT_TRUE(ok) << "oracle failed";
  MerkleHash ones;
  ones.bytes.fill(1);
  size_t total_chunks = 0;
  for (auto& c : all) {
    SCOPED_TRACE(c.name);
    std::string tag, xorb, file, verification, hmac01;
    size_t size = 0, n = 0;
    ASSERT_TRUE(out >> tag >> size >> n >> xorb >> file >> verification >> hmac01);
    ASSERT_EQ(tag, "file");
    ASSERT_EQ(size, c.data.size());
    auto chunks = chunk_and_hash(c.data);
    ASSERT_EQ(chunks.size(), n);
    for (size_t i = 0; i < n; ++i) {
      size_t len = 0;
      std::string hash;
      ASSERT_TRUE(out >> len >> hash);
      EXPECT_EQ(chunks[i].size, len) << "chunk " << i;
      EXPECT_EQ(to_xhex(chunks[i].hash), hash) << "chunk " << i;
    }
    total_chunks += n;
    EXPECT_EQ(to_xhex(xorb_hash(chunks)), xorb);
    EXPECT_EQ(to_xhex(file_hash(chunks)), file);
    if (n == 0) continue;
    std::vector<MerkleHash> hashes;
    for (auto& ch : chunks) hashes.push_back(ch.hash);
    EXPECT_EQ(to_xhex(verification_hash(hashes)), verification);
    EXPECT_EQ(to_xhex(hmac(chunks[0].hash, ones)), hmac01);
  }
  std::string extra;
  EXPECT_FALSE(out >> extra) << "oracle printed more than asked: " << extra;
  EXPECT_GT(total_chunks, 1100u);
}

}  // namespace
}  // namespace hub::storage::xet
