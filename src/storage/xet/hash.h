// Xet's hashes (XET.md §2.1, §2.3-2.6), byte-exact with xet-core (merklehash/, chunk hashing,
// verification ranges): a 32-byte MerkleHash, its "xhex" string form, chunk hashes, the merkle
// aggregation that names xorbs and files, term verification hashes and the dedup HMAC.
// Pure functions over values; thread-safe.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hub::storage::xet {

struct MerkleHash {
  std::array<uint8_t, 32> bytes{};

  bool is_zero() const;
  // Bytes 24..31 as a little-endian u64: the "hash mod m" of the merkle cuts and dedup rule.
  uint64_t last_u64() const;
  auto operator<=>(const MerkleHash&) const = default;
};

// xhex: the 32 bytes as 4 little-endian u64s, each in 16 lowercase hex digits (i.e. bytes
// reversed within each 8-byte group).
std::string to_xhex(const MerkleHash& h);
// Exactly 64 hex digits, either case; nullopt otherwise.
std::optional<MerkleHash> parse_xhex(std::string_view s);

// One chunk: its hash and uncompressed length (a merkle leaf).
struct ChunkRef {
  MerkleHash hash;
  uint64_t size = 0;
};

MerkleHash chunk_hash(std::span<const uint8_t> data);
// The root of the merkle aggregation (§2.4): zero for no leaves, the leaf itself for one.
MerkleHash merkle_root(std::span<const ChunkRef> leaves);
inline MerkleHash xorb_hash(std::span<const ChunkRef> chunks) { return merkle_root(chunks); }
// The root keyed once more with a zero key; all zero for an empty file.
MerkleHash file_hash(std::span<const ChunkRef> chunks);
// A shard term's verification hash over the raw chunk hashes of [start,end) of its xorb.
MerkleHash verification_hash(std::span<const MerkleHash> chunk_hashes);
// The keyed chunk hash a dedup reply carries instead of the raw one.
MerkleHash hmac(const MerkleHash& h, const MerkleHash& key);
// Whether a chunk hash makes a global dedup query or index entry (besides first chunks and
// flagged ones): hash mod 1024 == 0.
inline bool is_dedup_eligible(const MerkleHash& h) { return h.last_u64() % 1024 == 0; }

}  // namespace hub::storage::xet
