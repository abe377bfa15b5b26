#include "storage/xet/chunker.h"

#include <algorithm>

namespace hub::storage::xet {
namespace {

#include "storage/xet/gear_table.inc"

// The hash is shifted left once per byte, so after 64 bytes the older ones have left it: the
// first bytes of a chunk need not be hashed at all, only the 64 before the first place a cut
// may happen (xet-core skips the same prefix).
constexpr size_t kSkip = kMinChunk - 64 - 1;

}  // namespace

std::optional<size_t> Chunker::next_cut(std::span<const uint8_t> data) {
  const uint8_t* d = data.data();
  const size_t n = data.size();
  size_t i = 0;
  uint64_t h = h_;
  if (size_ < kSkip) {
    size_t s = std::min(n, kSkip - size_);
    i += s;
    size_ += s;
  }
  // Below kMinChunk - 1 bytes no cut is possible after the next byte: hash only.
  if (size_ < kMinChunk - 1) {
    size_t s = std::min(n - i, kMinChunk - 1 - size_);
    for (size_t end = i + s; i < end; ++i) h = (h << 1) + kGearTable[d[i]];
    size_ += s;
  }
  // Every further byte may end the chunk; the one that makes it kMaxChunk long always does.
  size_t s = std::min(n - i, kMaxChunk - size_);
  for (size_t end = i + s; i < end; ++i) {
    h = (h << 1) + kGearTable[d[i]];
    if ((h & kChunkMask) == 0) {
      h_ = 0;
      size_ = 0;
      return i + 1;
    }
  }
  size_ += s;
  if (size_ == kMaxChunk) {
    h_ = 0;
    size_ = 0;
    return i;
  }
  h_ = h;
  return std::nullopt;
}

std::vector<size_t> chunk_lengths(std::span<const uint8_t> data) {
  std::vector<size_t> out;
  Chunker c;
  size_t pos = 0;
  while (pos < data.size()) {
    // Each call starts a fresh chunk at pos, so a cut's offset is the chunk's length.
    auto cut = c.next_cut(data.subspan(pos));
    size_t len = cut ? *cut : data.size() - pos;
    out.push_back(len);
    pos += len;
  }
  return out;
}

std::vector<ChunkRef> chunk_and_hash(std::span<const uint8_t> data) {
  std::vector<ChunkRef> out;
  size_t pos = 0;
  for (size_t len : chunk_lengths(data)) {
    out.push_back({chunk_hash(data.subspan(pos, len)), len});
    pos += len;
  }
  return out;
}

}  // namespace hub::storage::xet
