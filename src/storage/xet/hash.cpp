#include "storage/xet/hash.h"

#include <algorithm>
#include <charconv>

#include "storage/xet/blake3.h"

namespace hub::storage::xet {
namespace {

// Keys from xet-core merklehash (DATA_KEY, INTERNAL_NODE_HASH) and the verification-range key.
constexpr std::array<uint8_t, 32> kDataKey = {102, 151, 245, 119, 91,  149, 80,  222, 49,  53,  203,
                                              172, 165, 151, 24,  28,  157, 228, 33,  16,  155, 235,
                                              43,  88,  180, 208, 176, 75,  147, 173, 242, 41};
constexpr std::array<uint8_t, 32> kNodeKey = {1,   126, 197, 199, 165, 71,  41,  150, 253, 148, 102,
                                              102, 180, 138, 2,   230, 93,  221, 83,  111, 55,  199,
                                              109, 210, 248, 99,  82,  230, 74,  83,  113, 63};
constexpr std::array<uint8_t, 32> kVerificationKey = {
    127, 24,  87,  214, 206, 86,  237, 102, 18,  127, 249, 19,  231, 165, 195, 243,
    164, 205, 38,  213, 181, 219, 73,  230, 65,  36,  152, 127, 40,  251, 148, 195};
constexpr std::array<uint8_t, 32> kZeroKey = {};

MerkleHash keyed(const std::array<uint8_t, 32>& key, std::span<const uint8_t> data) {
  return MerkleHash{blake3_keyed(key, data)};
}

// One parent over `n` nodes: the text "xhex : size\n" per child, keyed with the node key.
ChunkRef parent(const ChunkRef* nodes, size_t n) {
  std::string text;
  text.reserve(n * 90);
  uint64_t total = 0;
  char num[24];
  for (size_t i = 0; i < n; ++i) {
    text += to_xhex(nodes[i].hash);
    text += " : ";
    auto [end, ec] = std::to_chars(num, num + sizeof num, nodes[i].size);
    text.append(num, end);
    text += '\n';
    total += nodes[i].size;
  }
  return {keyed(kNodeKey, {reinterpret_cast<const uint8_t*>(text.data()), text.size()}), total};
}

// How many nodes from `p` (n left) form the next group: cut after the first node i in [2, 9)
// whose hash is 0 mod 4, else take up to 9 (xet-core's next_merge_cut, mean branching 4).
size_t next_group(const ChunkRef* p, size_t n) {
  if (n <= 2) return n;
  size_t end = std::min<size_t>(9, n);
  for (size_t i = 2; i < end; ++i)
    if (p[i].hash.last_u64() % 4 == 0) return i + 1;
  return end;
}

}  // namespace

bool MerkleHash::is_zero() const {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

uint64_t MerkleHash::last_u64() const {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | bytes[24 + i];
  return v;
}

std::string to_xhex(const MerkleHash& h) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(64, '0');
  for (int g = 0; g < 4; ++g)
    for (int i = 0; i < 8; ++i) {
      uint8_t b = h.bytes[g * 8 + 7 - i];
      s[g * 16 + 2 * i] = kHex[b >> 4];
      s[g * 16 + 2 * i + 1] = kHex[b & 15];
    }
  return s;
}

std::optional<MerkleHash> parse_xhex(std::string_view s) {
  if (s.size() != 64) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  MerkleHash h;
  for (int g = 0; g < 4; ++g)
    for (int i = 0; i < 8; ++i) {
      int hi = nibble(s[g * 16 + 2 * i]), lo = nibble(s[g * 16 + 2 * i + 1]);
      if (hi < 0 || lo < 0) return std::nullopt;
      h.bytes[g * 8 + 7 - i] = static_cast<uint8_t>(hi << 4 | lo);
    }
  return h;
}

MerkleHash chunk_hash(std::span<const uint8_t> data) { return keyed(kDataKey, data); }

MerkleHash merkle_root(std::span<const ChunkRef> leaves) {
  if (leaves.empty()) return {};
  if (leaves.size() == 1) return leaves[0].hash;
  std::vector<ChunkRef> level(leaves.begin(), leaves.end());
  // Each pass replaces a level by its groups' parents, in place (the write index never passes
  // the read index). A level of 2+ nodes always shrinks, so this ends.
  while (level.size() > 1) {
    size_t out = 0;
    for (size_t p = 0; p < level.size();) {
      size_t g = next_group(level.data() + p, level.size() - p);
      level[out++] = parent(level.data() + p, g);
      p += g;
    }
    level.resize(out);
  }
  return level[0].hash;
}

MerkleHash file_hash(std::span<const ChunkRef> chunks) {
  if (chunks.empty()) return {};
  MerkleHash root = merkle_root(chunks);
  return keyed(kZeroKey, root.bytes);
}

MerkleHash verification_hash(std::span<const MerkleHash> chunk_hashes) {
  Blake3 h(kVerificationKey);
  for (const auto& c : chunk_hashes) h.update(c.bytes.data(), c.bytes.size());
  return MerkleHash{h.finish()};
}

MerkleHash hmac(const MerkleHash& h, const MerkleHash& key) {
  return MerkleHash{blake3_keyed(key.bytes, h.bytes)};
}

}  // namespace hub::storage::xet
