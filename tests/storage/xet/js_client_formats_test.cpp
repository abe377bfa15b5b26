// Xorbs and shards written by the real JS client (@huggingface/hub uploadFiles, captured by
// js_client_capture.mjs): hubd's parsers accept them, every xorb hashes to the name it was
// posted under, and every shard's file entries rebuild the uploaded bytes exactly (terms,
// verification hashes, file hash, sha256), with CAS blocks matching the xorbs' own index.
#include <gtest/gtest.h>

#include <cmath>
#include <ctime>
#include <optional>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "core/hash.h"
#include "storage/xet/shard.h"
#include "storage/xet/shard_check.h"
#include "storage/xet/xorb.h"
#include "storage/xet/oracle.h"

namespace hub::storage::xet {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(XetJsClientFormats, XorbsAndShardsFromUploadFilesParseAndRebuildTheFiles) {
  if (!testing::have_oracles()) GTEST_SKIP() << "no " << testing::node_modules() << " (scripts/npm-deps.sh)";
  fs::path dir = fs::temp_directory_path() / ("hubd-xet-js-" + std::to_string(::getpid()));
  fs::path out = dir / "out";
  fs::create_directories(out);
  std::map<std::string, std::vector<uint8_t>> inputs;
  std::mt19937_64 rng(11);
  auto& random = inputs["random.bin"];
  random.resize(3 << 20);
  for (auto& b : random) b = uint8_t(rng());
  // float32 weights: what the client compresses with BG4.
  auto& weights = inputs["weights.bin"];
  std::normal_distribution<float> normal(0, 0.02f);
  for (int i = 0; i < 400000; ++i) {
    float f = normal(rng);
    auto* p = reinterpret_cast<uint8_t*>(&f);
    weights.insert(weights.end(), p, p + 4);
  }
  // The same megabyte twice: the client dedups inside the file (terms reuse chunks).
  auto& twice = inputs["twice.bin"];
  std::vector<uint8_t> mb(1 << 20);
  for (auto& b : mb) b = uint8_t(rng());
  twice = mb;
  twice.insert(twice.end(), mb.begin(), mb.end());
  std::string hello = "Hello World!";
  inputs["hello.txt"] = {hello.begin(), hello.end()};
  std::string args = "'" + out.string() + "'";
  for (auto& [name, data] : inputs) {
    std::ofstream(dir / name, std::ios::binary).write(reinterpret_cast<const char*>(data.data()), data.size());
    args += " '" + (dir / name).string() + "'";
  }
  bool ok = false;
  std::string log = testing::run_oracle("js_client_capture.mjs", args, &ok);
  ASSERT_TRUE(ok) << log;

  std::map<MerkleHash, std::pair<std::vector<uint8_t>, XorbIndex>> xorbs;
  std::vector<Shard> shards;
  size_t compressed_chunks = 0, bg4_chunks = 0;
  for (auto& e : fs::directory_iterator(out)) {
    std::string name = e.path().filename().string();
    auto body = slurp(e.path());
    if (name.starts_with("xorb-")) {
      auto idx = parse_xorb(body);
      ASSERT_TRUE(idx) << name << ": " << idx.error().message;
      EXPECT_EQ(to_xhex(idx->hash), name.substr(5)) << "xorb content does not hash to its name";
      EXPECT_EQ(idx->serialized_size, body.size());
      for (auto& c : idx->chunks) {
        compressed_chunks += c.scheme != Compression::none;
        bg4_chunks += c.scheme == Compression::bg4_lz4;
      }
      xorbs[idx->hash] = {std::move(body), std::move(*idx)};
    } else {
      auto s = parse_shard(body);
      ASSERT_TRUE(s) << name << ": " << s.error().message;
      shards.push_back(std::move(*s));
    }
  }
  EXPECT_GE(xorbs.size(), 3u);
  EXPECT_GT(compressed_chunks, 0u);
  EXPECT_GT(bg4_chunks, 0u);

  // hubd's own shard verification accepts every shard the client wrote.
  std::map<MerkleHash, StoredXorb> stored;
  for (auto& [h, x] : xorbs)
    for (auto& c : x.second.chunks) {
      stored[h].hashes.push_back(c.hash);
      stored[h].sizes.push_back(c.uncompressed_size);
    }
  StoredXorbLookup lookup = [&](const MerkleHash& h) -> const StoredXorb* {
    auto it = stored.find(h);
    return it == stored.end() ? nullptr : &it->second;
  };
  for (auto& s : shards) {
    auto v = verify_shard(s, lookup);
    EXPECT_TRUE(v) << v.error().message;
  }

  std::map<std::string, MerkleHash> sha_to_file;
  for (auto& s : shards) {
    // CAS blocks agree with the xorbs as stored.
    for (auto& x : s.xorbs) {
      auto it = xorbs.find(x.hash);
      ASSERT_NE(it, xorbs.end()) << "shard names a xorb that was not uploaded";
      const auto& idx = it->second.second;
      ASSERT_EQ(x.chunks.size(), idx.chunks.size());
      uint32_t off = 0;
      for (size_t i = 0; i < x.chunks.size(); ++i) {
        EXPECT_EQ(x.chunks[i].hash, idx.chunks[i].hash);
        EXPECT_EQ(x.chunks[i].unpacked_bytes, idx.chunks[i].uncompressed_size);
        EXPECT_EQ(x.chunks[i].byte_range_start, off);
        off += x.chunks[i].unpacked_bytes;
      }
      EXPECT_EQ(x.num_bytes_in_xorb, off);
    }
    for (auto& f : s.files) {
      ASSERT_TRUE(f.sha256);
      ASSERT_EQ(f.verification.size(), f.terms.size());
      std::vector<uint8_t> rebuilt;
      std::vector<ChunkRef> leaves;
      for (size_t t = 0; t < f.terms.size(); ++t) {
        const auto& term = f.terms[t];
        auto it = xorbs.find(term.xorb);
        ASSERT_NE(it, xorbs.end());
        const auto& [body, idx] = it->second;
        ASSERT_LE(term.chunk_end, idx.chunks.size());
        std::vector<MerkleHash> range;
        uint64_t bytes = 0;
        for (uint32_t c = term.chunk_start; c < term.chunk_end; ++c) {
          const auto& ch = idx.chunks[c];
          std::vector<uint8_t> buf;
          ASSERT_TRUE(decode_chunk(ch.scheme, std::span(body).subspan(ch.offset + 8, ch.compressed_size),
                                   ch.uncompressed_size, buf));
          rebuilt.insert(rebuilt.end(), buf.begin(), buf.end());
          range.push_back(ch.hash);
          leaves.push_back({ch.hash, ch.uncompressed_size});
          bytes += ch.uncompressed_size;
        }
        EXPECT_EQ(term.unpacked_bytes, bytes);
        EXPECT_EQ(f.verification[t], verification_hash(range));
      }
      EXPECT_EQ(file_hash(leaves), f.file_hash);
      std::string sha = sha256_hex({reinterpret_cast<const char*>(rebuilt.data()), rebuilt.size()});
      EXPECT_EQ(to_xhex(*f.sha256), sha);
      sha_to_file[sha] = f.file_hash;
    }
  }
  // Every uploaded file is described by some shard.
  for (auto& [name, data] : inputs) {
    std::string sha = sha256_hex({reinterpret_cast<const char*>(data.data()), data.size()});
    EXPECT_TRUE(sha_to_file.count(sha)) << name << " is in no shard";
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hub::storage::xet

namespace hub::storage::xet {
namespace {

struct Capture {
  std::map<MerkleHash, std::pair<std::vector<uint8_t>, XorbIndex>> xorbs;
  std::vector<Shard> shards;
  uint64_t xorb_bytes = 0;
};

Capture load(const fs::path& out) {
  Capture c;
  for (auto& e : fs::directory_iterator(out)) {
    auto body = slurp(e.path());
    if (e.path().filename().string().starts_with("xorb-")) {
      auto idx = parse_xorb(body);
      EXPECT_TRUE(idx);
      if (!idx) continue;
      c.xorb_bytes += body.size();
      c.xorbs[idx->hash] = {std::move(body), std::move(*idx)};
    } else {
      auto s = parse_shard(body);
      EXPECT_TRUE(s);
      if (s) c.shards.push_back(std::move(*s));
    }
  }
  return c;
}

// The file's bytes from its terms, looking xorbs up in any of the captures.
std::optional<std::vector<uint8_t>> rebuild(const ShardFile& f, const std::vector<const Capture*>& from) {
  std::vector<uint8_t> out;
  for (const auto& t : f.terms) {
    const std::pair<std::vector<uint8_t>, XorbIndex>* x = nullptr;
    for (auto* c : from)
      if (auto it = c->xorbs.find(t.xorb); it != c->xorbs.end()) x = &it->second;
    if (!x || t.chunk_end > x->second.chunks.size()) return std::nullopt;
    for (uint32_t i = t.chunk_start; i < t.chunk_end; ++i) {
      const auto& ch = x->second.chunks[i];
      std::vector<uint8_t> buf;
      if (!decode_chunk(ch.scheme, std::span(x->first).subspan(ch.offset + 8, ch.compressed_size), ch.uncompressed_size, buf))
        return std::nullopt;
      out.insert(out.end(), buf.begin(), buf.end());
    }
  }
  return out;
}

// A dedup reply written by hubd (HMAC-keyed chunk hashes, footer with key and expiry) is read by
// the real JS client: re-uploading a file with 1 MiB changed in its middle sends only the new
// chunks, and the shard it then writes rebuilds the file from the old and new xorbs.
TEST(XetJsClientFormats, ClientDedupsAgainstOurDedupReply) {
  if (!testing::have_oracles()) GTEST_SKIP() << "no " << testing::node_modules() << " (scripts/npm-deps.sh)";
  fs::path dir = fs::temp_directory_path() / ("hubd-xet-jsdedup-" + std::to_string(::getpid()));
  fs::create_directories(dir / "out1");
  fs::create_directories(dir / "out2");
  std::vector<uint8_t> a(6 << 20);
  std::mt19937_64 rng(17);
  for (auto& b : a) b = uint8_t(rng());
  auto b = a;
  for (size_t i = 3 << 20; i < (4 << 20); ++i) b[i] = uint8_t(rng());
  std::ofstream(dir / "model.bin", std::ios::binary).write(reinterpret_cast<const char*>(a.data()), a.size());
  bool ok = false;
  std::string log = testing::run_oracle("js_client_capture.mjs", "'" + (dir / "out1").string() + "' '" + (dir / "model.bin").string() + "'", &ok);
  ASSERT_TRUE(ok) << log;
  Capture first = load(dir / "out1");
  ASSERT_FALSE(first.shards.empty());

  std::vector<ShardXorb> offered;
  for (auto& s : first.shards) offered.insert(offered.end(), s.xorbs.begin(), s.xorbs.end());
  MerkleHash key;
  for (auto& k : key.bytes) k = uint8_t(rng());
  auto now = static_cast<uint64_t>(std::time(nullptr));
  auto reply = dedup_reply_shard(offered, key, now, 7 * 86400);
  std::ofstream(dir / "reply.bin", std::ios::binary).write(reinterpret_cast<const char*>(reply.data()), reply.size());

  fs::create_directories(dir / "v2");
  std::ofstream(dir / "v2/model.bin", std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
  log = testing::run_oracle("js_client_capture.mjs", "'" + (dir / "out2").string() + "' '" + (dir / "v2/model.bin").string() + "'",
                            &ok, "DEDUP_REPLY='" + (dir / "reply.bin").string() + "'");
  ASSERT_TRUE(ok) << log;
  Capture second = load(dir / "out2");
  std::printf("first upload: %llu xorb bytes for %zu; second (1 MiB changed): %llu xorb bytes\n",
              (unsigned long long)first.xorb_bytes, a.size(), (unsigned long long)second.xorb_bytes);
  EXPECT_LT(second.xorb_bytes, b.size() / 4);
  EXPECT_GT(second.xorb_bytes, (1u << 20) - 1);
  std::string sha = sha256_hex({reinterpret_cast<const char*>(b.data()), b.size()});
  bool found = false;
  for (auto& s : second.shards)
    for (auto& f : s.files) {
      if (!f.sha256 || to_xhex(*f.sha256) != sha) continue;
      found = true;
      auto rebuilt = rebuild(f, {&first, &second});
      ASSERT_TRUE(rebuilt) << "the second shard references chunks neither upload stored";
      EXPECT_TRUE(*rebuilt == b);
    }
  EXPECT_TRUE(found);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hub::storage::xet
