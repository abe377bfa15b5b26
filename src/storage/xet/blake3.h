// BLAKE3 (https://github.com/BLAKE3-team/BLAKE3-specs, blake3.pdf), our own implementation:
// Debian 12 ships no BLAKE3 library, and Xet names every chunk, xorb and file by a keyed BLAKE3
// (XET.md §2). Full tree mode, 32-byte output; unkeyed and keyed (32-byte key) modes only.
// Portable C++ with GCC vector extensions for hashing several 1 KiB chunks at once (plain SSE2 on
// x86-64, NEON on arm64: no -march needed, so the binary runs on any CPU of its architecture).
// A Blake3 object is single-threaded; the free functions are thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace hub::storage::xet {

using Digest32 = std::array<uint8_t, 32>;

class Blake3 {
 public:
  Blake3();                                        // plain hash
  explicit Blake3(std::span<const uint8_t, 32> key);  // keyed_hash
  void update(const void* data, size_t n);
  Digest32 finish() const;  // may be called again after more update()s

 private:
  void push_chunk_cv(const uint32_t cv[8], uint64_t total_chunks);
  void compress_block(bool last);

  uint32_t key_[8];
  uint32_t flags_;
  // The chunk in progress.
  uint32_t cv_[8];
  uint64_t chunk_counter_ = 0;
  uint8_t block_[64] = {};
  size_t block_len_ = 0;
  size_t blocks_done_ = 0;
  // Chaining values of completed subtrees, one per set bit of the chunk count (≤ 54 for 2^64 bytes).
  uint32_t stack_[54][8];
  size_t stack_len_ = 0;
};

Digest32 blake3(std::span<const uint8_t> data);
Digest32 blake3_keyed(std::span<const uint8_t, 32> key, std::span<const uint8_t> data);

}  // namespace hub::storage::xet
