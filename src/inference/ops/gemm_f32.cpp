// The engine's own f32 GEMM over packed weights (gemm.h: PackedWeights, linear_packed), one
// copy per CPU level (see kernels.h). y[m, n] = x[m, k] · Wᵀ with W packed in panels of NR
// output features, each [k][NR] contiguous. The micro-kernel keeps an MR x NR block of y in
// registers while k streams: per k step it loads one NR-wide row of the panel and
// broadcasts MR activations (AVX-512 folds the broadcast into the FMA). Blocking: k in
// chunks of kKc (a panel's chunk, kKc x NR floats, stays in L1 while every MR-row group of
// the tile reads it); tiles of rows x panels are the parallel work units, each finished
// with the bias + activation pass while it is in cache.
#include <algorithm>
#include <array>
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
void micro(const float* a, const float* b, int64_t kc, float* c, int64_t ldc, int ncols, bool accumulate) {
  __m512 acc0[R], acc1[R];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) acc0[i] = acc1[i] = _mm512_setzero_ps();
  for (int64_t kk = 0; kk < kc; ++kk) {
    const __m512 b0 = _mm512_load_ps(b + kk * kNr), b1 = _mm512_load_ps(b + kk * kNr + 16);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      const __m512 av = _mm512_set1_ps(a[kk * kMr + i]);
      acc0[i] = _mm512_fmadd_ps(av, b0, acc0[i]);
      acc1[i] = _mm512_fmadd_ps(av, b1, acc1[i]);
    }
  }
  const __mmask16 m0 = ncols >= 16 ? __mmask16(0xffff) : __mmask16((1u << ncols) - 1);
  const __mmask16 m1 = ncols >= 32 ? __mmask16(0xffff) : ncols <= 16 ? __mmask16(0) : __mmask16((1u << (ncols - 16)) - 1);
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
void micro(const float* a, const float* b, int64_t kc, float* c, int64_t ldc, int ncols, bool accumulate) {
  __m256 acc0[R], acc1[R];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) acc0[i] = acc1[i] = _mm256_setzero_ps();
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
  const bool full = ncols == kNr;
  const __m256i m0 = tail_mask8(ncols), m1 = tail_mask8(ncols - 8);
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
void micro(const float* a, const float* b, int64_t kc, float* c, int64_t ldc, int ncols, bool accumulate) {
  float acc[R][kNr] = {};
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

using MicroFn = void (*)(const float*, const float*, int64_t, float*, int64_t, int, bool);

template <int... R>
constexpr auto micro_table(std::integer_sequence<int, R...>) {
  return std::array<MicroFn, sizeof...(R)>{micro<R + 1>...};
}
// micros[r - 1] handles r rows (r <= kMr): the last, ragged row group of a tile.
constexpr auto micros = micro_table(std::make_integer_sequence<int, kMr>{});

// k chunk: kKc x kNr floats of a panel (32 KB with AVX-512) stay in L1 across a tile's rows.
constexpr int64_t kKc = 256;
// Rows and panels per tile (the parallel work unit).
constexpr int64_t kTileRows = 8 * kMr;
constexpr int64_t kTilePanels = 128 / kNr;

}  // namespace

int packed_f32_panel_width() { return kNr; }

void gemm_packed_f32(const float* x, int64_t m, int64_t k, const PackedPanelsView& w, const float* bias, float* y,
                     Activation act) {
  const int64_t n = w.n, panels = (n + kNr - 1) / kNr;
  // Equal row blocks (each a multiple of kMr) so the tiles are the same size.
  const int64_t row_blocks = (m + kTileRows - 1) / kTileRows;
  const int64_t rows_per = ((m + row_blocks - 1) / row_blocks + kMr - 1) / kMr * kMr;
  const int64_t panel_groups = (panels + kTilePanels - 1) / kTilePanels;
  parallel_for(row_blocks * panel_groups, 1, [&](int64_t t0, int64_t t1) {
    // The tile's activations for one k chunk, re-laid [group][kk][kMr] so the micro-kernel
    // reads them contiguously: read in place, MR rows a whole row stride apart fall into the
    // same L1 sets whenever k is a multiple of 1024 floats (k = 3072: the FFN's second
    // projection) and evict each other on every step.
    alignas(64) float apack[kTileRows * kKc];
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t r0 = (t % row_blocks) * rows_per, r1 = std::min(m, r0 + rows_per);
      const int64_t p0 = (t / row_blocks) * kTilePanels, p1 = std::min(panels, p0 + kTilePanels);
      if (r0 >= r1) continue;
      for (int64_t kc0 = 0; kc0 < k; kc0 += kKc) {
        const int64_t kc = std::min(kKc, k - kc0);
        for (int64_t i = r0; i < r1; i += kMr) {
          const int64_t rows = std::min<int64_t>(kMr, r1 - i);
          float* dst = apack + (i - r0) * kKc;
          for (int64_t r = 0; r < rows; ++r) {
            const float* src = x + (i + r) * k + kc0;
            for (int64_t kk = 0; kk < kc; ++kk) dst[kk * kMr + r] = src[kk];
          }
        }
        for (int64_t p = p0; p < p1; ++p) {
          const float* bp = w.data + p * k * kNr + kc0 * kNr;
          const int ncols = int(std::min<int64_t>(kNr, n - p * kNr));
          for (int64_t i = r0; i < r1; i += kMr) {
            const int rows = int(std::min<int64_t>(kMr, r1 - i));
            micros[size_t(rows - 1)](apack + (i - r0) * kKc, bp, kc, y + i * n + p * kNr, n, ncols, kc0 > 0);
          }
        }
      }
      // The tile is done and still in cache: bias + activation now, not in a later pass.
      const int64_t c0 = p0 * kNr, c1 = std::min(n, p1 * kNr);
      bias_act_block(y + r0 * n + c0, r1 - r0, c1 - c0, n, bias ? bias + c0 : nullptr, act);
    }
  });
}

}  // namespace hub::inference::ops::HUBD_OPS_ISA
