// The engine's own f32 GEMM over packed weights (gemm.h: PackedWeights, linear_packed), one
// copy per CPU level (see kernels.h). y[m, n] = x[m, k] · Wᵀ with W packed in panels of NR
// output features, each [k][NR] contiguous. The micro-kernel keeps an MR x NR block of y in
// registers while k streams: per k step it loads one NR-wide row of the panel and
// broadcasts MR activations. The activations are packed once per call ([group][k][MR]).
// Blocking: k in chunks of kKc (a panel's chunk, kKc x NR floats, stays in L1 while the
// tile's row groups read it); tiles of row groups x panels are the parallel work units,
// claimed one at a time; the bias seeds the accumulators and the activation is applied to
// each finished tile while it is in cache.
#include <algorithm>
#include <array>
#include <atomic>
#include <new>
#include <utility>

#include "inference/ops/elementwise.h"
#include "inference/ops/kernels.h"
#include "inference/ops/parallel.h"

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

namespace hub::inference::ops::HUBD_OPS_ISA {

namespace {

#if defined(__AVX512F__)
constexpr int kNr = 32;
constexpr int kMr = 12;  // 24 accumulators + 2 weight vectors + broadcasts: 32 registers

// c[i][0, ncols) (+)= Σ_kk a[kk][i] · b[kk][j] for i < R: a and b packed, [kc][kMr] and
// [kc][kNr].
template <int R>
void micro(const float* a, const float* b, int64_t kc, float* c, int64_t ldc, int ncols, const float* init,
           bool accumulate) {
  const __mmask16 m0 = ncols >= 16 ? __mmask16(0xffff) : __mmask16((1u << ncols) - 1);
  const __mmask16 m1 = ncols >= 32 ? __mmask16(0xffff) : ncols <= 16 ? __mmask16(0) : __mmask16((1u << (ncols - 16)) - 1);
  const __m512 i0 = init ? _mm512_maskz_loadu_ps(m0, init) : _mm512_setzero_ps();
  const __m512 i1 = init ? _mm512_maskz_loadu_ps(m1, init + 16) : _mm512_setzero_ps();
  __m512 acc0[R], acc1[R];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) acc0[i] = i0, acc1[i] = i1;
  for (int64_t kk = 0; kk < kc; ++kk) {
    const __m512 b0 = _mm512_load_ps(b + kk * kNr), b1 = _mm512_load_ps(b + kk * kNr + 16);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      const __m512 av = _mm512_set1_ps(a[kk * kMr + i]);
      acc0[i] = _mm512_fmadd_ps(av, b0, acc0[i]);
      acc1[i] = _mm512_fmadd_ps(av, b1, acc1[i]);
    }
  }
  // Fully unrolled (as the k loop): a rolled loop makes GCC keep the accumulators in memory.
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
    float* ci = c + i * ldc;
    if (accumulate) {
      acc0[i] = _mm512_add_ps(acc0[i], _mm512_maskz_loadu_ps(m0, ci));
      acc1[i] = _mm512_add_ps(acc1[i], _mm512_maskz_loadu_ps(m1, ci + 16));
    }
    _mm512_mask_storeu_ps(ci, m0, acc0[i]);
    _mm512_mask_storeu_ps(ci + 16, m1, acc1[i]);
  }
}
#elif defined(__AVX2__) && defined(__FMA__)
constexpr int kNr = 16;
constexpr int kMr = 6;  // 12 accumulators + 2 weight vectors + a broadcast: 15 of 16 registers

inline __m256i tail_mask8(int n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

template <int R>
void micro(const float* a, const float* b, int64_t kc, float* c, int64_t ldc, int ncols, const float* init,
           bool accumulate) {
  const bool full = ncols == kNr;
  const __m256i m0 = tail_mask8(ncols), m1 = tail_mask8(ncols - 8);
  const __m256 i0 = init ? _mm256_maskload_ps(init, m0) : _mm256_setzero_ps();
  const __m256 i1 = init ? _mm256_maskload_ps(init + 8, m1) : _mm256_setzero_ps();
  __m256 acc0[R], acc1[R];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) acc0[i] = i0, acc1[i] = i1;
  for (int64_t kk = 0; kk < kc; ++kk) {
    const __m256 b0 = _mm256_load_ps(b + kk * kNr), b1 = _mm256_load_ps(b + kk * kNr + 8);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      const __m256 av = _mm256_broadcast_ss(a + kk * kMr + i);
      acc0[i] = _mm256_fmadd_ps(av, b0, acc0[i]);
      acc1[i] = _mm256_fmadd_ps(av, b1, acc1[i]);
    }
  }
  // One epilogue loop (full or masked per row): with two, GCC 12 keeps the accumulator
  // arrays in memory and stores them on every k step.
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
    float* ci = c + i * ldc;
    if (full) {
      if (accumulate) {
        acc0[i] = _mm256_add_ps(acc0[i], _mm256_loadu_ps(ci));
        acc1[i] = _mm256_add_ps(acc1[i], _mm256_loadu_ps(ci + 8));
      }
      _mm256_storeu_ps(ci, acc0[i]);
      _mm256_storeu_ps(ci + 8, acc1[i]);
    } else {
      if (accumulate) {
        acc0[i] = _mm256_add_ps(acc0[i], _mm256_maskload_ps(ci, m0));
        acc1[i] = _mm256_add_ps(acc1[i], _mm256_maskload_ps(ci + 8, m1));
      }
      _mm256_maskstore_ps(ci, m0, acc0[i]);
      _mm256_maskstore_ps(ci + 8, m1, acc1[i]);
    }
  }
}
#else
constexpr int kNr = 16;
constexpr int kMr = 4;

// Plain C++: the compiler vectorises the j loops with whatever the baseline has (SSE).
template <int R>
void micro(const float* a, const float* b, int64_t kc, float* c, int64_t ldc, int ncols, const float* init,
           bool accumulate) {
  float acc[R][kNr] = {};
  if (init)
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < ncols; ++j) acc[i][j] = init[j];
  for (int64_t kk = 0; kk < kc; ++kk) {
    const float* bk = b + kk * kNr;
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      const float av = a[kk * kMr + i];
      for (int j = 0; j < kNr; ++j) acc[i][j] += av * bk[j];
    }
  }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < ncols; ++j) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}
#endif

using MicroFn = void (*)(const float*, const float*, int64_t, float*, int64_t, int, const float*, bool);

template <int... R>
constexpr auto micro_table(std::integer_sequence<int, R...>) {
  return std::array<MicroFn, sizeof...(R)>{micro<R + 1>...};
}
// micros[r - 1] handles r rows (r <= kMr): the last, ragged row group of a tile.
constexpr auto micros = micro_table(std::make_integer_sequence<int, kMr>{});

// k chunk: kKc x kNr floats of a panel (32 KB with AVX-512) stay in L1 while the tile's row
// groups stream past them.
constexpr int64_t kKc = 256;
// A tile (the parallel work unit) is up to kTileGroups row groups of kMr rows x kTilePanels
// panels, shrunk until every thread gets kMinTilesPerThread of them (claimed one at a time,
// so the tail is at most one tile): a B chunk is reused by the tile's row groups from L1,
// the tile's A chunk by its panels from L2 (per k chunk: 48 KB of A + 128 KB of B).
// Measured (single thread, CPU time, loaded box): 4x2 .. 8x16 all within noise of each other.
constexpr int64_t kTileGroups = 4;
constexpr int64_t kTilePanels = 4;
constexpr int64_t kMinTilesPerThread = 4;

// The activations packed once per call, [group][k][kMr] (the last group zero-padded): the
// micro-kernel then reads kMr values per k step contiguously. Read in place, kMr rows a
// whole row stride apart fall into the same L1 sets whenever k is a multiple of 1024 floats
// (k = 3072: the FFN's second projection). Grow-only per calling thread, so a steady stream
// of forwards allocates nothing; the pool's workers only read the caller's buffer.
float* a_buffer(size_t floats) {
  struct Buf {
    float* p = nullptr;
    size_t n = 0;
    ~Buf() { ::operator delete(p, std::align_val_t(64)); }
  };
  thread_local Buf buf;
  if (buf.n < floats) {
    ::operator delete(buf.p, std::align_val_t(64));
    buf.p = static_cast<float*>(::operator new(floats * sizeof(float), std::align_val_t(64)));
    buf.n = floats;
  }
  return buf.p;
}

void pack_group(const float* x, int64_t m, int64_t k, int64_t g, float* dst) {
  const int64_t r0 = g * kMr, rows = std::min<int64_t>(kMr, m - r0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* src = x + (r0 + r) * k;
    for (int64_t kk = 0; kk < k; ++kk) dst[kk * kMr + r] = src[kk];
  }
  for (int64_t r = rows; r < kMr; ++r)
    for (int64_t kk = 0; kk < k; ++kk) dst[kk * kMr + r] = 0.f;
}

}  // namespace

int packed_f32_panel_width() { return kNr; }

void gemm_packed_f32(const float* x, int64_t m, int64_t k, const PackedPanelsView& w, const float* bias, float* y,
                     Activation act) {
  const int64_t n = w.n, panels = (n + kNr - 1) / kNr, groups = (m + kMr - 1) / kMr;
  float* apack = a_buffer(size_t(groups * k * kMr));
  parallel_for(groups, 1, [&](int64_t g0, int64_t g1) {
    for (int64_t g = g0; g < g1; ++g) pack_group(x, m, k, g, apack + g * k * kMr);
  });
  int64_t tg = kTileGroups, tp = kTilePanels;
  auto count = [&] { return ((groups + tg - 1) / tg) * ((panels + tp - 1) / tp); };
  while (count() < kMinTilesPerThread * num_threads() && (tg > 1 || tp > 1)) {
    if (tp >= tg && tp > 1)
      tp = (tp + 1) / 2;
    else
      tg = (tg + 1) / 2;
  }
  // Row blocks of equal size (within one group).
  const int64_t row_blocks = (groups + tg - 1) / tg;
  tg = (groups + row_blocks - 1) / row_blocks;
  const int64_t tiles = row_blocks * ((panels + tp - 1) / tp);
  std::atomic<int64_t> next{0};
  // One task per thread, each claiming tiles until none are left.
  parallel_for(std::min<int64_t>(tiles, num_threads()), 1, [&](int64_t, int64_t) {
    for (int64_t t; (t = next.fetch_add(1, std::memory_order_relaxed)) < tiles;) {
      const int64_t g0 = (t % row_blocks) * tg, g1 = std::min(groups, g0 + tg);
      const int64_t p0 = (t / row_blocks) * tp, p1 = std::min(panels, p0 + tp);
      for (int64_t kc0 = 0; kc0 < k; kc0 += kKc) {
        const int64_t kc = std::min(kKc, k - kc0);
        for (int64_t p = p0; p < p1; ++p) {
          const float* bp = w.data + p * k * kNr + kc0 * kNr;
          const int ncols = int(std::min<int64_t>(kNr, n - p * kNr));
          // The bias seeds the accumulators of the first k chunk (no separate pass).
          const float* init = kc0 == 0 && bias ? bias + p * kNr : nullptr;
          for (int64_t g = g0; g < g1; ++g) {
            const int rows = int(std::min<int64_t>(kMr, m - g * kMr));
            micros[size_t(rows - 1)](apack + g * k * kMr + kc0 * kMr, bp, kc, y + g * kMr * n + p * kNr, n,
                                     ncols, init, kc0 > 0);
          }
        }
      }
      // The tile is done and still in cache: the activation now, not in a later pass.
      if (act != Activation::none) {
        const int64_t r0 = g0 * kMr, r1 = std::min(m, g1 * kMr);
        const int64_t c0 = p0 * kNr, c1 = std::min(n, p1 * kNr);
        bias_act_block(y + r0 * n + c0, r1 - r0, c1 - c0, n, nullptr, act);
      }
    }
  });
}

}  // namespace hub::inference::ops::HUBD_OPS_ISA
