// Content-defined chunking as xet-core does it (XET.md §2.2; xet-core
// xet_data/src/deduplication/chunking.rs): a gearhash over the bytes, a cut where its top 16 bits
// are zero once a chunk has 8 KiB, and always at 128 KiB. Equal bytes give equal cuts wherever
// they sit in a file, which is what lets Xet deduplicate. Streaming and one-shot forms give the
// same cuts. A Chunker is single-threaded; the free functions are thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "storage/xet/hash.h"

namespace hub::storage::xet {

inline constexpr size_t kMinChunk = 8192;
inline constexpr size_t kMaxChunk = 131072;
inline constexpr uint64_t kChunkMask = 0xFFFF000000000000ull;  // target 64 KiB

class Chunker {
 public:
  // Scans `data`, the stream's next bytes. Returns how many of them end the current chunk (a cut
  // after data[k-1] returns k; the caller's chunk is its buffered bytes + data[0,k)), after which
  // the next chunk starts; nullopt when all of `data` belongs to the current chunk.
  std::optional<size_t> next_cut(std::span<const uint8_t> data);
  // Bytes of the current, unfinished chunk seen so far (the stream's tail at the end).
  size_t pending() const { return size_; }

 private:
  uint64_t h_ = 0;
  size_t size_ = 0;
};

// The chunk lengths of a whole buffer, in order (none for an empty buffer).
std::vector<size_t> chunk_lengths(std::span<const uint8_t> data);

// Chunks and hashes a whole buffer: one (chunk hash, length) per chunk.
std::vector<ChunkRef> chunk_and_hash(std::span<const uint8_t> data);

}  // namespace hub::storage::xet
