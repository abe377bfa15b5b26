#include "storage/xet/blake3.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace hub::storage::xet {
namespace {

constexpr uint32_t kIv[8] = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                             0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};
// Message word order of round r+1 = kPermute applied to round r's order.
constexpr uint8_t kPermute[16] = {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8};

// The message schedule of all 7 rounds, precomputed from kPermute so the rounds index words
// directly instead of shuffling the block between rounds.
struct Schedule {
  uint8_t s[7][16];
};
constexpr Schedule make_schedule() {
  Schedule sc{};
  for (int i = 0; i < 16; ++i) sc.s[0][i] = static_cast<uint8_t>(i);
  for (int r = 1; r < 7; ++r)
    for (int i = 0; i < 16; ++i) sc.s[r][i] = sc.s[r - 1][kPermute[i]];
  return sc;
}
constexpr Schedule kSchedule = make_schedule();

constexpr uint32_t kChunkStart = 1;
constexpr uint32_t kChunkEnd = 2;
constexpr uint32_t kParent = 4;
constexpr uint32_t kRoot = 8;
constexpr uint32_t kKeyedHash = 16;
constexpr size_t kChunkLen = 1024;
constexpr size_t kBlockLen = 64;

inline uint32_t load32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline void store32(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
  p[2] = uint8_t(v >> 16);
  p[3] = uint8_t(v >> 24);
}

// GCC warns that 32-byte vector arguments would pass differently with and without AVX; these
// helpers are always inlined, so no such call exists.
#pragma GCC diagnostic ignored "-Wpsabi"

// One round body, generic over scalar uint32_t and GCC vectors of uint32_t (N lanes = N
// independent compressions).
template <class V>
[[gnu::always_inline]] inline V rotr(V x, int n) {
  return (x >> n) | (x << (32 - n));
}
template <class V>
[[gnu::always_inline]] inline void g(V* v, int a, int b, int c, int d, V mx, V my) {
  v[a] = v[a] + v[b] + mx;
  v[d] = rotr(v[d] ^ v[a], 16);
  v[c] = v[c] + v[d];
  v[b] = rotr(v[b] ^ v[c], 12);
  v[a] = v[a] + v[b] + my;
  v[d] = rotr(v[d] ^ v[a], 8);
  v[c] = v[c] + v[d];
  v[b] = rotr(v[b] ^ v[c], 7);
}
template <class V>
[[gnu::always_inline]] inline void rounds(V* v, const V* m) {
  for (int r = 0; r < 7; ++r) {
    const uint8_t* s = kSchedule.s[r];
    g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
    g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
    g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
    g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
    g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
    g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
    g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
    g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
}

// The compression function, truncated to the 8 words every caller here needs (chaining value,
// or the 32-byte root output).
void compress(const uint32_t cv[8], const uint8_t block[64], uint64_t counter, uint32_t block_len,
              uint32_t flags, uint32_t out[8]) {
  uint32_t m[16];
  for (int i = 0; i < 16; ++i) m[i] = load32(block + 4 * i);
  uint32_t v[16] = {cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7],
                    kIv[0], kIv[1], kIv[2], kIv[3], uint32_t(counter), uint32_t(counter >> 32),
                    block_len, flags};
  rounds(v, m);
  for (int i = 0; i < 8; ++i) out[i] = v[i] ^ v[i + 8];
}

void parent_cv(const uint32_t left[8], const uint32_t right[8], const uint32_t key[8],
               uint32_t flags, uint32_t out[8]) {
  uint8_t block[64];
  for (int i = 0; i < 8; ++i) {
    store32(block + 4 * i, left[i]);
    store32(block + 32 + 4 * i, right[i]);
  }
  compress(key, block, 0, 64, flags | kParent, out);
}

// kLanes whole 1 KiB chunks with consecutive counters, hashed side by side: lane l of every
// vector is chunk l. This is where long inputs spend their time.
constexpr int kLanes = 8;
static_assert(std::endian::native == std::endian::little, "the lane loads read words in host order");
typedef uint32_t VecU32 __attribute__((vector_size(4 * kLanes)));

// out[w] = element w of every row: a transpose in three rounds of two-vector shuffles (each
// round interleaves pairs of rows at twice the width of the last), which compile to unpack and
// permute instructions instead of one lane insert per word.
// (__builtin_shufflevector: GCC ≥ 12 and clang both have it; the fuzz build uses clang.)
#define HUB_LO1 0, 8, 2, 10, 4, 12, 6, 14
#define HUB_HI1 1, 9, 3, 11, 5, 13, 7, 15
#define HUB_LO2 0, 1, 8, 9, 4, 5, 12, 13
#define HUB_HI2 2, 3, 10, 11, 6, 7, 14, 15
#define HUB_LO4 0, 1, 2, 3, 8, 9, 10, 11
#define HUB_HI4 4, 5, 6, 7, 12, 13, 14, 15
[[gnu::always_inline]] inline void transpose8(const VecU32 r[8], VecU32 out[8]) {
  VecU32 s[8], u[8];
  for (int i = 0; i < 4; ++i) {
    s[2 * i] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], HUB_LO1);      // rows 2i,2i+1: elements 0,2,4,6
    s[2 * i + 1] = __builtin_shufflevector(r[2 * i], r[2 * i + 1], HUB_HI1);  // elements 1,3,5,7
  }
  for (int q = 0; q < 2; ++q) {  // rows 0-3, then 4-7
    VecU32 *sq = s + 4 * q, *uq = u + 4 * q;
    uq[0] = __builtin_shufflevector(sq[0], sq[2], HUB_LO2);  // elements 0,4
    uq[1] = __builtin_shufflevector(sq[0], sq[2], HUB_HI2);  // 2,6
    uq[2] = __builtin_shufflevector(sq[1], sq[3], HUB_LO2);  // 1,5
    uq[3] = __builtin_shufflevector(sq[1], sq[3], HUB_HI2);  // 3,7
  }
  out[0] = __builtin_shufflevector(u[0], u[4], HUB_LO4);
  out[4] = __builtin_shufflevector(u[0], u[4], HUB_HI4);
  out[2] = __builtin_shufflevector(u[1], u[5], HUB_LO4);
  out[6] = __builtin_shufflevector(u[1], u[5], HUB_HI4);
  out[1] = __builtin_shufflevector(u[2], u[6], HUB_LO4);
  out[5] = __builtin_shufflevector(u[2], u[6], HUB_HI4);
  out[3] = __builtin_shufflevector(u[3], u[7], HUB_LO4);
  out[7] = __builtin_shufflevector(u[3], u[7], HUB_HI4);
}
#undef HUB_LO1
#undef HUB_HI1
#undef HUB_LO2
#undef HUB_HI2
#undef HUB_LO4
#undef HUB_HI4
static_assert(kLanes == 8, "transpose8 is written for 8 lanes");

// Built twice, the AVX2 clone picked at load time on CPUs that have it (no -march: the binary
// still runs anywhere). Without AVX2 each 8-lane vector is two SSE2 registers.
__attribute__((target_clones("avx2", "default")))
void hash_chunks(const uint8_t* in, const uint32_t key[8], uint64_t counter, uint32_t flags,
                 uint32_t out[kLanes][8]) {
  VecU32 cv[8];
  for (int i = 0; i < 8; ++i) cv[i] = VecU32{} + key[i];
  VecU32 ctr_lo, ctr_hi;
  for (int l = 0; l < kLanes; ++l) {
    ctr_lo[l] = uint32_t(counter + l);
    ctr_hi[l] = uint32_t((counter + l) >> 32);
  }
  for (size_t b = 0; b < kChunkLen / kBlockLen; ++b) {
    // Lane l's words are bytes of chunk l (little-endian hosts only: static_assert above), so the
    // message vectors are an 8x8 transpose of the lanes' rows, twice (words 0-7 and 8-15).
    VecU32 m[16];
    for (int half = 0; half < 2; ++half) {
      VecU32 rows[kLanes];
      for (int l = 0; l < kLanes; ++l)
        std::memcpy(&rows[l], in + l * kChunkLen + b * kBlockLen + half * 32, sizeof(VecU32));
      transpose8(rows, m + half * 8);
    }
    uint32_t f = flags | (b == 0 ? kChunkStart : 0) | (b == kChunkLen / kBlockLen - 1 ? kChunkEnd : 0);
    VecU32 v[16] = {cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7],
                    VecU32{} + kIv[0], VecU32{} + kIv[1], VecU32{} + kIv[2], VecU32{} + kIv[3],
                    ctr_lo, ctr_hi, VecU32{} + uint32_t(kBlockLen), VecU32{} + f};
    rounds(v, m);
    for (int i = 0; i < 8; ++i) cv[i] = v[i] ^ v[i + 8];
  }
  for (int l = 0; l < kLanes; ++l)
    for (int i = 0; i < 8; ++i) out[l][i] = cv[i][l];
}

}  // namespace

Blake3::Blake3() : flags_(0) {
  std::copy(kIv, kIv + 8, key_);
  std::copy(key_, key_ + 8, cv_);
}

Blake3::Blake3(std::span<const uint8_t, 32> key) : flags_(kKeyedHash) {
  for (int i = 0; i < 8; ++i) key_[i] = load32(key.data() + 4 * i);
  std::copy(key_, key_ + 8, cv_);
}

void Blake3::compress_block(bool last) {
  uint32_t f = flags_ | (blocks_done_ == 0 ? kChunkStart : 0) | (last ? kChunkEnd : 0);
  uint32_t out[8];
  compress(cv_, block_, chunk_counter_, uint32_t(block_len_), f, out);
  std::copy(out, out + 8, cv_);
  ++blocks_done_;
  block_len_ = 0;
  std::memset(block_, 0, sizeof block_);
}

// Merges completed subtrees as the chunk count's trailing zero bits say (the spec's lazy merge):
// a subtree is only merged once it is certain not to be the root's last child.
void Blake3::push_chunk_cv(const uint32_t cv[8], uint64_t total_chunks) {
  uint32_t cur[8];
  std::copy(cv, cv + 8, cur);
  while ((total_chunks & 1) == 0) {
    uint32_t merged[8];
    parent_cv(stack_[--stack_len_], cur, key_, flags_, merged);
    std::copy(merged, merged + 8, cur);
    total_chunks >>= 1;
  }
  std::copy(cur, cur + 8, stack_[stack_len_++]);
}

void Blake3::update(const void* data, size_t n) {
  auto p = static_cast<const uint8_t*>(data);
  while (n > 0) {
    size_t chunk_len = blocks_done_ * kBlockLen + block_len_;
    if (chunk_len == kChunkLen) {
      // The chunk is full and more input follows, so it is not the root: finish it.
      uint32_t out[8];
      compress(cv_, block_, chunk_counter_, uint32_t(block_len_),
               flags_ | (blocks_done_ == 0 ? kChunkStart : 0) | kChunkEnd, out);
      push_chunk_cv(out, ++chunk_counter_);
      std::copy(key_, key_ + 8, cv_);
      blocks_done_ = 0;
      block_len_ = 0;
      std::memset(block_, 0, sizeof block_);
      chunk_len = 0;
    }
    // Whole chunks, lanes at a time, when more input follows them (the last chunk may be the root).
    if (chunk_len == 0) {
      while (n > kLanes * kChunkLen) {
        uint32_t cvs[kLanes][8];
        hash_chunks(p, key_, chunk_counter_, flags_, cvs);
        for (int l = 0; l < kLanes; ++l) push_chunk_cv(cvs[l], ++chunk_counter_);
        p += kLanes * kChunkLen;
        n -= kLanes * kChunkLen;
      }
    }
    if (block_len_ == kBlockLen) compress_block(false);
    // Blocks are aligned inside a chunk, so the block's room never exceeds the chunk's.
    size_t take = std::min(n, kBlockLen - block_len_);
    std::memcpy(block_ + block_len_, p, take);
    block_len_ += take;
    p += take;
    n -= take;
  }
}

Digest32 Blake3::finish() const {
  // The last chunk's final block, then the stack folded right to left; ROOT on the very last
  // compression (output block counter 0).
  uint32_t f = flags_ | (blocks_done_ == 0 ? kChunkStart : 0) | kChunkEnd;
  uint32_t cv[8];
  const uint32_t* in_cv = cv_;
  uint8_t block[64];
  std::memcpy(block, block_, 64);
  uint64_t counter = chunk_counter_;
  uint32_t len = uint32_t(block_len_);
  for (size_t i = stack_len_; i > 0; --i) {
    uint32_t child[8];
    compress(in_cv, block, counter, len, f, child);
    for (int w = 0; w < 8; ++w) {
      store32(block + 4 * w, stack_[i - 1][w]);
      store32(block + 32 + 4 * w, child[w]);
    }
    in_cv = key_;
    counter = 0;
    len = 64;
    f = flags_ | kParent;
  }
  compress(in_cv, block, counter, len, f | kRoot, cv);
  Digest32 d;
  for (int i = 0; i < 8; ++i) store32(d.data() + 4 * i, cv[i]);
  return d;
}

Digest32 blake3(std::span<const uint8_t> data) {
  Blake3 h;
  h.update(data.data(), data.size());
  return h.finish();
}

Digest32 blake3_keyed(std::span<const uint8_t, 32> key, std::span<const uint8_t> data) {
  Blake3 h(key);
  h.update(data.data(), data.size());
  return h.finish();
}

}  // namespace hub::storage::xet
