#include "inference/ops/gemm_bf16.h"

#include "inference/ops/kernels.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "inference/ops/gemm.h"
#include "inference/ops/parallel.h"
#include "inference/ops/simd.h"

// GCC 12 warns falsely (-Wuninitialized) inside its own _mm512_reduce_add_ps.
#pragma GCC diagnostic ignored "-Wuninitialized"

namespace hub::inference::ops::HUBD_OPS_ISA {

namespace {

inline float up(uint16_t b) {
  uint32_t u = uint32_t(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__)
#define HUBD_BF16_AVX512 1
inline __m512 up16(__m256i v) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(v), 16)); }

// The activations of the small-m path, re-laid per 32-value chunk as its 16 even-indexed
// values then its 16 odd-indexed ones, zero-padded to kp (a multiple of 32). A 64-byte load
// of 32 bf16 weights then upconverts with two in-lane integer ops — the even elements by a
// 16-bit left shift of each 32-bit lane, the odd ones by masking off its low half — instead
// of a cross-lane widening per 16 values, which is what limits this loop (AMD Zen 4 runs
// 512-bit ops as two halves).
constexpr int64_t kChunk = 32;
// Software prefetch distance in weights (1 KB ahead on each of the R row streams).
constexpr int64_t kPrefetch = 512;

void split_even_odd(const float* x, int64_t m, int64_t k, int64_t kp, float* out) {
  for (int64_t i = 0; i < m; ++i) {
    const float* xr = x + i * k;
    float* o = out + i * kp;
    std::fill(o, o + kp, 0.f);
    for (int64_t kk = 0; kk < k; ++kk) {
      const int64_t c = kk / kChunk, j = kk % kChunk;
      o[c * kChunk + (j & 1) * 16 + j / 2] = xr[kk];
    }
  }
}

// R weight rows x M activation rows: R*M f32 accumulators stay in registers while k streams;
// each weight vector is loaded and converted once and used M times.
template <int R, int M>
void block(const float* xp, int64_t kp, const uint16_t* w, int64_t k, float* y, int64_t ldy) {
  __m512 acc[R][M];
  for (int r = 0; r < R; ++r)
    for (int i = 0; i < M; ++i) acc[r][i] = _mm512_setzero_ps();
  const __m512i hi = _mm512_set1_epi32(int(0xFFFF0000u));
  auto step = [&](int64_t kk, __mmask32 mask, bool full) {
    __m512 we[R], wo[R];
    for (int r = 0; r < R; ++r) {
      if (full) _mm_prefetch(reinterpret_cast<const char*>(w + r * k + kk + kPrefetch), _MM_HINT_T0);
      __m512i v = full ? _mm512_loadu_si512(w + r * k + kk) : _mm512_maskz_loadu_epi16(mask, w + r * k + kk);
      // Keep loaded vectors in registers: GCC otherwise folds a load into every use, and
      // 512-bit loads (one per cycle on Zen 4) become the bottleneck instead of the FMAs.
      __asm__("" : "+v"(v));
      we[r] = _mm512_castsi512_ps(_mm512_slli_epi32(v, 16));
      wo[r] = _mm512_castsi512_ps(_mm512_and_si512(v, hi));
    }
    for (int i = 0; i < M; ++i) {
      __m512 xe = _mm512_loadu_ps(xp + i * kp + kk), xo = _mm512_loadu_ps(xp + i * kp + kk + 16);
      __asm__("" : "+v"(xe), "+v"(xo));
      for (int r = 0; r < R; ++r) acc[r][i] = _mm512_fmadd_ps(wo[r], xo, _mm512_fmadd_ps(we[r], xe, acc[r][i]));
    }
  };
  int64_t kk = 0;
  for (; kk + kChunk <= k; kk += kChunk) step(kk, 0, true);
  // Ragged k: the masked load reads nothing past the row; x's padding is zero.
  if (kk < k) step(kk, __mmask32((uint64_t(1) << (k - kk)) - 1), false);
  for (int r = 0; r < R; ++r)
    for (int i = 0; i < M; ++i) y[i * ldy + r] = _mm512_reduce_add_ps(acc[r][i]);
}
#else
template <int R, int M>
void block(const float* x, int64_t kp, const uint16_t* w, int64_t k, float* y, int64_t ldy) {
  for (int r = 0; r < R; ++r)
    for (int i = 0; i < M; ++i) {
      float s = 0;
      for (int64_t kk = 0; kk < k; ++kk) s += x[i * kp + kk] * up(w[r * k + kk]);
      y[i * ldy + r] = s;
    }
}
#endif

using BlockFn = void (*)(const float*, int64_t, const uint16_t*, int64_t, float*, int64_t);

template <int R>
BlockFn pick_m(int64_t mm) {
  switch (mm) {
    case 1: return block<R, 1>;
    case 2: return block<R, 2>;
    case 3: return block<R, 3>;
    default: return block<R, 4>;
  }
}

// R in 1..8 (8 only with M = 1: eight independent chains for the matrix-vector case).
BlockFn pick(int64_t rr, int64_t mm) {
  switch (rr) {
    case 1: return pick_m<1>(mm);
    case 2: return pick_m<2>(mm);
    case 3: return pick_m<3>(mm);
    case 4: return pick_m<4>(mm);
    case 5: return block<5, 1>;
    case 6: return block<6, 1>;
    case 7: return block<7, 1>;
    default: return block<8, 1>;
  }
}

// Weight rows per parallel work unit (a multiple of both row blockings).
constexpr int64_t kRowsPerUnit = 8;
// Weight rows converted per sgemm call on the large-m path.
constexpr int64_t kRowsPerPanel = 128;

void small_m(const float* x, int64_t m, int64_t k, const uint16_t* w, int64_t n, float* y) {
  const int64_t R = m == 1 ? 8 : 4, M = 4;
#ifdef HUBD_BF16_AVX512
  const int64_t kp = (k + kChunk - 1) / kChunk * kChunk;
  std::vector<float> xs(size_t(m * kp));
  split_even_odd(x, m, k, kp, xs.data());
  const float* xp = xs.data();
#else
  const int64_t kp = k;
  const float* xp = x;
#endif
  const int64_t units = (n + kRowsPerUnit - 1) / kRowsPerUnit;
  // ~64 KB of weights per chunk at least, so tiny layers do not pay for the pool.
  const int64_t grain = std::max<int64_t>(1, (int64_t(32) << 10) / std::max<int64_t>(1, kRowsPerUnit * k));
  parallel_for(units, grain, [&](int64_t u0, int64_t u1) {
    const int64_t n1 = std::min(n, u1 * kRowsPerUnit);
    for (int64_t r = u0 * kRowsPerUnit; r < n1; r += R) {
      const int64_t rr = std::min(R, n1 - r);
      // The rr weight rows stay in L1/L2 while every group of M activation rows reads them.
      for (int64_t i = 0; i < m; i += M) {
        const int64_t mm = std::min(M, m - i);  // R = 8 only when m = 1, so mm = 1 then
        pick(rr, mm)(xp + i * kp, kp, w + r * k, k, y + i * n + r, n);
      }
    }
  });
}

void large_m(const float* x, int64_t m, int64_t k, const uint16_t* w, int64_t n, float* y) {
  const int64_t panels = (n + kRowsPerPanel - 1) / kRowsPerPanel;
  parallel_for(panels, 1, [&](int64_t p0, int64_t p1) {
    // Per chunk, not thread_local: the memory goes back when the call ends.
    std::vector<float> scratch(size_t(std::min(n, kRowsPerPanel) * k));
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t r0 = p * kRowsPerPanel, rows = std::min(kRowsPerPanel, n - r0);
      upconvert_bf16(w + r0 * k, scratch.data(), rows * k);
      // Nested inside parallel_for, gemm runs single-threaded in this worker.
      gemm(false, true, m, rows, k, 1.f, x, k, scratch.data(), k, 0.f, y + r0, n);
    }
  });
}

}  // namespace

void upconvert_bf16(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
#ifdef HUBD_BF16_AVX512
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(dst + i, up16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i))));
#endif
  for (; i < n; ++i) dst[i] = up(src[i]);
}

void linear_bf16(const float* x, int64_t m, int64_t k, const uint16_t* w, int64_t n,
                 const float* bias, float* y, Activation act) {
  if (m <= 0 || n <= 0) return;
  if (k == 0) {
    std::fill(y, y + m * n, 0.f);
  } else if (m <= kBf16SmallM) {
    small_m(x, m, k, w, n, y);
  } else {
    large_m(x, m, k, w, n, y);
  }
  HUBD_OPS_ISA::bias_act(y, m, n, bias, act);
}

void embedding_gather_bf16(const uint16_t* table, int64_t dim, const int32_t* ids, int64_t n_ids,
                           float* out) {
  for (int64_t r = 0; r < n_ids; ++r) upconvert_bf16(table + int64_t(ids[r]) * dim, out + r * dim, dim);
}

}  // namespace hub::inference::ops::HUBD_OPS_ISA
