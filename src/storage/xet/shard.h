// The MDB shard format (XET.md §3.2-3.3): a 48-byte header, a file-info section (per file: its
// terms = xorb chunk ranges, optional verification hashes and sha256), a CAS-info section (per
// xorb: its chunks), each section closed by a bookend record, then optional lookup tables and a
// 200-byte footer. Parsed by the bookends, not by footer offsets (JS writes zero offsets).
// parse_shard checks the format only; whether the xorbs exist and the terms verify is the
// CAS's job (services/). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/result.h"
#include "storage/xet/hash.h"

namespace hub::storage::xet {

inline constexpr size_t kShardRecordSize = 48;
inline constexpr size_t kShardFooterSize = 200;
inline constexpr size_t kMaxShardBytes = 64u << 20;
inline constexpr uint32_t kFileFlagVerification = 0x80000000u;
inline constexpr uint32_t kFileFlagMetadataExt = 0x40000000u;
inline constexpr uint32_t kChunkFlagGlobalDedup = 0x80000000u;

struct FileTerm {
  MerkleHash xorb;
  uint32_t xorb_flags = 0;
  uint32_t unpacked_bytes = 0;
  uint32_t chunk_start = 0;
  uint32_t chunk_end = 0;  // exclusive
};

struct ShardFile {
  MerkleHash file_hash;
  uint32_t flags = 0;
  std::vector<FileTerm> terms;
  std::vector<MerkleHash> verification;  // one per term when flags has kFileFlagVerification
  std::optional<MerkleHash> sha256;      // xhex of it = the sha256 hex (kFileFlagMetadataExt)
};

struct ShardChunk {
  MerkleHash hash;
  uint32_t byte_range_start = 0;  // cumulative uncompressed offset in the xorb
  uint32_t unpacked_bytes = 0;
  uint32_t flags = 0;
};

struct ShardXorb {
  MerkleHash hash;
  uint32_t flags = 0;
  uint32_t num_bytes_in_xorb = 0;  // Σ uncompressed
  uint32_t num_bytes_on_disk = 0;  // hf_xet writes 0
  std::vector<ShardChunk> chunks;
};

struct ShardFooter {
  MerkleHash chunk_hmac_key;  // zero: chunk hashes are raw
  uint64_t creation_unix = 0;
  uint64_t key_expiry_unix = 0;
};

struct Shard {
  std::vector<ShardFile> files;
  std::vector<ShardXorb> xorbs;
  std::optional<ShardFooter> footer;  // present when the header announces one
};

// corrupt (detail "InvalidShard") on any malformed byte: wrong tag or version, a record count
// running past the end, a term with start ≥ end, a missing bookend, bytes after the CAS bookend
// without a footer; too_large past kMaxShardBytes.
Result<Shard> parse_shard(std::span<const uint8_t> body);

// Header, file section, CAS section; with `shard.footer`, also the 200-byte footer (no lookup
// tables: their offsets point at the footer with count 0, so readers scan the CAS section),
// which is how the dedup reply is written. Without, the upload-body form.
std::vector<uint8_t> serialize_shard(const Shard& shard);

// The body of a dedup reply (GET /v1/chunks/…, XET.md §3.3): no files, the CAS blocks of the
// xorbs offered, each chunk hash replaced by hmac(hash, key) so the reader learns no raw chunk
// hash of data it did not upload (a zero key would send raw hashes: refused by assertion), and
// a footer with the key, `now` and `now + ttl` (clients drop replies past key_expiry).
std::vector<uint8_t> dedup_reply_shard(std::span<const ShardXorb> offered, const MerkleHash& key, uint64_t now_unix,
                                       uint64_t ttl_seconds);

}  // namespace hub::storage::xet
