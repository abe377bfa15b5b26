// The engine's int8 GEMM for encoders (gemm.h: PackedWeights with WeightFormat::int8): weights
// quantised once per output feature (symmetric, scale = max|w|/127), activations per row at
// each call (scale = max|x|/127, stored as u8 = q + 128), products summed exactly in int32 by
// AVX512-VNNI `vpdpbusd` (u8 x s8, four products per lane per instruction), then y = sx·sw·
// (Σ u8·w − 128·Σw) + bias in f32. One copy per CPU level (kernels.h); only the AVX-512 level
// has a fast kernel, used on CPUs with VNNI (PackedWeights::pack falls back to f32 elsewhere;
// the other levels' copies are plain C++ with the same integer arithmetic). Layout: panels of
// 32 output features, each [kq][32][4] int8 (k in quads, zero-padded), then per column the
// scale and 128·Σw. k is chunked like gemm_f32.cpp; partial int32 sums live in y itself
// between chunks (int32 and float are the same size), converted by the last chunk.
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstring>
#include <new>
#include <utility>

#include "inference/ops/elementwise.h"
#include "inference/ops/kernels.h"
#include "inference/ops/parallel.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace hub::inference::ops::HUBD_OPS_ISA {

namespace {

constexpr int kNr = 32;
constexpr int kMr = 12;

// What the last k chunk needs to turn int32 sums into y: R row scales, the panel's column
// scales, compensations (128·Σw) and bias (may be null).
struct Epilogue {
  const float* row_scale;
  const float* col_scale;
  const int32_t* col_comp;
  const float* bias;
};

#if defined(__AVX512F__)
template <int R>
__attribute__((target("avx512vnni"))) void micro(const uint32_t* a, const int8_t* b, int64_t kq, float* c,
                                                 int64_t ldc, int ncols, bool first, bool last,
                                                 const Epilogue& e) {
  const __mmask16 m0 = ncols >= 16 ? __mmask16(0xffff) : __mmask16((1u << ncols) - 1);
  const __mmask16 m1 = ncols >= 32 ? __mmask16(0xffff) : ncols <= 16 ? __mmask16(0) : __mmask16((1u << (ncols - 16)) - 1);
  __m512i acc0[R], acc1[R];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) acc0[i] = acc1[i] = _mm512_setzero_si512();
  for (int64_t kk = 0; kk < kq; ++kk) {
    const __m512i b0 = _mm512_load_si512(b + kk * 4 * kNr), b1 = _mm512_load_si512(b + kk * 4 * kNr + 64);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      const __m512i av = _mm512_set1_epi32(int(a[kk * kMr + i]));
      acc0[i] = _mm512_dpbusd_epi32(acc0[i], av, b0);
      acc1[i] = _mm512_dpbusd_epi32(acc1[i], av, b1);
    }
  }
  __m512 cs0 = _mm512_setzero_ps(), cs1 = cs0, bi0 = cs0, bi1 = cs0;
  __m512i cc0 = _mm512_setzero_si512(), cc1 = cc0;
  if (last) {
    cs0 = _mm512_maskz_loadu_ps(m0, e.col_scale), cs1 = _mm512_maskz_loadu_ps(m1, e.col_scale + 16);
    cc0 = _mm512_maskz_loadu_epi32(m0, e.col_comp), cc1 = _mm512_maskz_loadu_epi32(m1, e.col_comp + 16);
    if (e.bias) bi0 = _mm512_maskz_loadu_ps(m0, e.bias), bi1 = _mm512_maskz_loadu_ps(m1, e.bias + 16);
  }
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
    float* ci = c + i * ldc;
    if (!first) {
      acc0[i] = _mm512_add_epi32(acc0[i], _mm512_maskz_loadu_epi32(m0, ci));
      acc1[i] = _mm512_add_epi32(acc1[i], _mm512_maskz_loadu_epi32(m1, ci + 16));
    }
    if (last) {
      const __m512 rs = _mm512_set1_ps(e.row_scale[i]);
      const __m512 y0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(acc0[i], cc0)), _mm512_mul_ps(rs, cs0), bi0);
      const __m512 y1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(acc1[i], cc1)), _mm512_mul_ps(rs, cs1), bi1);
      _mm512_mask_storeu_ps(ci, m0, y0);
      _mm512_mask_storeu_ps(ci + 16, m1, y1);
    } else {
      _mm512_mask_storeu_epi32(ci, m0, acc0[i]);
      _mm512_mask_storeu_epi32(ci + 16, m1, acc1[i]);
    }
  }
}
#else
template <int R>
void micro(const uint32_t* a, const int8_t* b, int64_t kq, float* c, int64_t ldc, int ncols, bool first, bool last,
           const Epilogue& e) {
  int32_t acc[R][kNr] = {};
  for (int64_t kk = 0; kk < kq; ++kk)
    for (int i = 0; i < R; ++i)
      for (int q = 0; q < 4; ++q) {
        const int32_t av = int32_t((a[kk * kMr + i] >> (8 * q)) & 0xffu);
        for (int j = 0; j < kNr; ++j) acc[i][j] += av * int32_t(b[(kk * kNr + j) * 4 + q]);
      }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < ncols; ++j) {
      int32_t s = acc[i][j];
      if (!first) {
        int32_t prev;
        std::memcpy(&prev, c + i * ldc + j, 4);
        s += prev;
      }
      if (last)
        c[i * ldc + j] = float(s - e.col_comp[j]) * (e.row_scale[i] * e.col_scale[j]) + (e.bias ? e.bias[j] : 0.f);
      else
        std::memcpy(c + i * ldc + j, &s, 4);
    }
}
#endif

using MicroFn = void (*)(const uint32_t*, const int8_t*, int64_t, float*, int64_t, int, bool, bool, const Epilogue&);

template <int... R>
constexpr auto micro_table(std::integer_sequence<int, R...>) {
  return std::array<MicroFn, sizeof...(R)>{micro<R + 1>...};
}
constexpr auto micros = micro_table(std::make_integer_sequence<int, kMr>{});

// k quads per chunk: 256 quads x 32 columns x 4 bytes = 32 KB of a panel in L1.
constexpr int64_t kKq = 256;
constexpr int64_t kTileGroups = 4;
constexpr int64_t kTilePanels = 4;
constexpr int64_t kMinTilesPerThread = 4;

// Per calling thread, grow-only (see gemm_f32.cpp): the packed activations and row scales.
template <class T>
T* scratch(size_t n, int slot) {
  struct Buf {
    void* p = nullptr;
    size_t n = 0;
    ~Buf() { ::operator delete(p, std::align_val_t(64)); }
  };
  thread_local Buf bufs[2];
  Buf& b = bufs[slot];
  if (b.n < n * sizeof(T)) {
    ::operator delete(b.p, std::align_val_t(64));
    b.p = ::operator new(n * sizeof(T), std::align_val_t(64));
    b.n = n * sizeof(T);
  }
  return static_cast<T*>(b.p);
}

// Rows of group g quantised (scale[r] = max|x|/127, u8 = round(x/scale) + 128) and packed
// [kq][kMr] (4 consecutive k per word); padding rows and k are 128 (quantised zero).
void pack_group(const float* x, int64_t m, int64_t k, int64_t g, uint32_t* dst, float* scales) {
  const int64_t r0 = g * kMr, rows = std::min<int64_t>(kMr, m - r0), kq = (k + 3) / 4;
  for (int64_t r = 0; r < kMr; ++r) {
    if (r >= rows) {
      for (int64_t kk = 0; kk < kq; ++kk) dst[kk * kMr + r] = 0x80808080u;
      continue;
    }
    const float* src = x + (r0 + r) * k;
    float amax = 0.f;
    for (int64_t t = 0; t < k; ++t) amax = std::max(amax, std::abs(src[t]));
    const float scale = amax / 127.f, inv = amax > 0.f ? 127.f / amax : 0.f;
    scales[r0 + r] = scale;
    for (int64_t kk = 0; kk < kq; ++kk) {
      uint32_t word = 0;
      for (int q = 0; q < 4; ++q) {
        const int64_t t = kk * 4 + q;
        const int v = t < k ? int(std::nearbyint(src[t] * inv)) : 0;
        word |= uint32_t(std::clamp(v, -127, 127) + 128) << (8 * q);
      }
      dst[kk * kMr + r] = word;
    }
  }
}

}  // namespace

void gemm_packed_int8(const float* x, int64_t m, int64_t k, const PackedPanelsView& w, const float* bias, float* y,
                      Activation act) {
  const int64_t n = w.n, panels = (n + kNr - 1) / kNr, groups = (m + kMr - 1) / kMr, kq = (k + 3) / 4;
  uint32_t* apack = scratch<uint32_t>(size_t(groups * kq * kMr), 0);
  float* row_scale = scratch<float>(size_t(groups * kMr), 1);
  parallel_for(groups, 1, [&](int64_t g0, int64_t g1) {
    for (int64_t g = g0; g < g1; ++g) pack_group(x, m, k, g, apack + g * kq * kMr, row_scale);
  });
  int64_t tg = kTileGroups, tp = kTilePanels;
  auto count = [&] { return ((groups + tg - 1) / tg) * ((panels + tp - 1) / tp); };
  while (count() < kMinTilesPerThread * num_threads() && (tg > 1 || tp > 1)) {
    if (tp >= tg && tp > 1)
      tp = (tp + 1) / 2;
    else
      tg = (tg + 1) / 2;
  }
  const int64_t row_blocks = (groups + tg - 1) / tg;
  tg = (groups + row_blocks - 1) / row_blocks;
  const int64_t tiles = row_blocks * ((panels + tp - 1) / tp);
  std::atomic<int64_t> next{0};
  parallel_for(std::min<int64_t>(tiles, num_threads()), 1, [&](int64_t, int64_t) {
    for (int64_t t; (t = next.fetch_add(1, std::memory_order_relaxed)) < tiles;) {
      const int64_t g0 = (t % row_blocks) * tg, g1 = std::min(groups, g0 + tg);
      const int64_t p0 = (t / row_blocks) * tp, p1 = std::min(panels, p0 + tp);
      for (int64_t kc0 = 0; kc0 < kq; kc0 += kKq) {
        const int64_t kc = std::min(kKq, kq - kc0);
        const bool first = kc0 == 0, last = kc0 + kc >= kq;
        for (int64_t p = p0; p < p1; ++p) {
          const int8_t* bp = w.data8 + (p * kq + kc0) * 4 * kNr;
          const int ncols = int(std::min<int64_t>(kNr, n - p * kNr));
          for (int64_t g = g0; g < g1; ++g) {
            const int rows = int(std::min<int64_t>(kMr, m - g * kMr));
            const Epilogue e{row_scale + g * kMr, w.col_scale + p * kNr, w.col_comp + p * kNr,
                             bias ? bias + p * kNr : nullptr};
            micros[size_t(rows - 1)](apack + (g * kq + kc0) * kMr, bp, kc, y + g * kMr * n + p * kNr, n, ncols,
                                     first, last, e);
          }
        }
      }
      if (act != Activation::none) {
        const int64_t r0 = g0 * kMr, r1 = std::min(m, g1 * kMr);
        const int64_t c0 = p0 * kNr, c1 = std::min(n, p1 * kNr);
        bias_act_block(y + r0 * n + c0, r1 - r0, c1 - c0, n, nullptr, act);
      }
    }
  });
}

}  // namespace hub::inference::ops::HUBD_OPS_ISA
