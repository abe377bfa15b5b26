// The xorb format (XET.md §3.1): a sequence of chunks, each an 8-byte header (version 0, u24
// compressed size, scheme, u24 uncompressed size) and its payload, stored as is, LZ4 frame, or
// byte-grouped (BG4) then LZ4 frame; older writers append a footer starting "XETBLOB".
// parse_xorb validates a whole upload (every chunk decodes to its stated size, the merkle hash
// of the chunk hashes is the xorb's name) and returns the chunk index the CAS keeps beside it.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "storage/xet/hash.h"

namespace hub::storage::xet {

enum class Compression : uint8_t { none = 0, lz4 = 1, bg4_lz4 = 2 };

inline constexpr size_t kChunkHeaderSize = 8;
inline constexpr size_t kMaxXorbBytes = 64u << 20;              // serialized, footer excluded
inline constexpr size_t kMaxXorbChunks = 4 * 8192;              // clients write ≤ 8192; lenient
inline constexpr size_t kMaxChunkCompressed = 2 * 131072;       // as xet-core's reader accepts
inline constexpr size_t kMaxChunkUncompressed = 131072;

struct XorbChunk {
  uint64_t offset = 0;  // of the chunk's header in the serialized xorb
  uint32_t compressed_size = 0;
  uint32_t uncompressed_size = 0;
  Compression scheme = Compression::none;
  MerkleHash hash;
};

struct XorbIndex {
  MerkleHash hash;                 // merkle root of the chunks
  std::vector<XorbChunk> chunks;   // in xorb order (a chunk's index is its position)
  uint64_t serialized_size = 0;    // bytes to store: chunks only, any footer stripped
  uint64_t uncompressed_size = 0;  // Σ uncompressed_size
};

// Parses, decodes and hashes every chunk. corrupt (detail "InvalidXorb") on any malformed byte:
// bad version or scheme, sizes past the limits or the end, a payload that does not decode to
// exactly its stated size, no chunks; too_large past kMaxXorbBytes / kMaxXorbChunks.
Result<XorbIndex> parse_xorb(std::span<const uint8_t> body);

// One chunk's payload decoded; `out` receives exactly `uncompressed_size` bytes.
Result<void> decode_chunk(Compression scheme, std::span<const uint8_t> payload, uint32_t uncompressed_size,
                          std::vector<uint8_t>& out);

// Serializes chunks as clients do: `prefer` (LZ4 or BG4+LZ4) where it shrinks the chunk, else
// stored as is. For tests, and for server-side chunking later.
std::vector<uint8_t> serialize_xorb(std::span<const std::span<const uint8_t>> chunks,
                                    Compression prefer = Compression::lz4);

}  // namespace hub::storage::xet
