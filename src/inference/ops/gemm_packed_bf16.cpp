// The engine's bf16 GEMM for encoders (gemm.h: PackedWeights with WeightFormat::bf16): y[m, n]
// = act(bf16(x) · bf16(W)ᵀ + bias) with f32 accumulation, one copy per CPU level (kernels.h).
// Only the AVX-512 level has a fast kernel, and only on CPUs with AVX512-BF16 (`vdpbf16ps`:
// one instruction multiplies 16 pairs of bf16 and adds both products to 16 f32 sums, twice the
// multiply-adds of an f32 FMA); PackedWeights::pack falls back to f32 elsewhere, and the other
// levels' copies are plain C++ that only the tests reach. Layout: panels of kNr = 32 output
// features, each [kp/2][32][2] bf16 (k pairs interleaved, k padded to even with zeros); the
// activations are rounded to bf16 (nearest-even) once per call and packed [group][kp/2][kMr]
// pairs. Blocking and threading as gemm_f32.cpp (tiles claimed one at a time, bias seeding
// the accumulators, the activation applied per tile while it is in cache).
#include <algorithm>
#include <array>
#include <atomic>
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

#if defined(__AVX512F__)
// c[i][0, ncols) (+)= Σ_kk Σ_e a[kk][i].e · b[kk][j].e for i < R: a holds kMr bf16 pairs per k
// pair, b 32 columns' pairs per k pair (two vectors).
template <int R>
__attribute__((target("avx512bf16"))) void micro(const uint32_t* a, const uint16_t* b, int64_t kp2, float* c,
                                                 int64_t ldc, int ncols, const float* init, bool accumulate) {
  const __mmask16 m0 = ncols >= 16 ? __mmask16(0xffff) : __mmask16((1u << ncols) - 1);
  const __mmask16 m1 = ncols >= 32 ? __mmask16(0xffff) : ncols <= 16 ? __mmask16(0) : __mmask16((1u << (ncols - 16)) - 1);
  const __m512 i0 = init ? _mm512_maskz_loadu_ps(m0, init) : _mm512_setzero_ps();
  const __m512 i1 = init ? _mm512_maskz_loadu_ps(m1, init + 16) : _mm512_setzero_ps();
  __m512 acc0[R], acc1[R];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) acc0[i] = i0, acc1[i] = i1;
  for (int64_t kk = 0; kk < kp2; ++kk) {
    const __m512bh b0 = (__m512bh)_mm512_load_si512(b + kk * 2 * kNr);
    const __m512bh b1 = (__m512bh)_mm512_load_si512(b + kk * 2 * kNr + 32);
#pragma GCC unroll 16
    for (int i = 0; i < R; ++i) {
      const __m512bh av = (__m512bh)_mm512_set1_epi32(int(a[kk * kMr + i]));
      acc0[i] = _mm512_dpbf16_ps(acc0[i], av, b0);
      acc1[i] = _mm512_dpbf16_ps(acc1[i], av, b1);
    }
  }
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
#else
inline float up(uint16_t h) {
  const uint32_t u = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Plain C++ with the same arithmetic (products of bf16 values are exact in f32).
template <int R>
void micro(const uint32_t* a, const uint16_t* b, int64_t kp2, float* c, int64_t ldc, int ncols, const float* init,
           bool accumulate) {
  float acc[R][kNr] = {};
  if (init)
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < ncols; ++j) acc[i][j] = init[j];
  for (int64_t kk = 0; kk < kp2; ++kk)
    for (int i = 0; i < R; ++i) {
      const float a0 = up(uint16_t(a[kk * kMr + i])), a1 = up(uint16_t(a[kk * kMr + i] >> 16));
      for (int j = 0; j < kNr; ++j)
        acc[i][j] += a0 * up(b[(kk * kNr + j) * 2]) + a1 * up(b[(kk * kNr + j) * 2 + 1]);
    }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < ncols; ++j) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}
#endif

using MicroFn = void (*)(const uint32_t*, const uint16_t*, int64_t, float*, int64_t, int, const float*, bool);

template <int... R>
constexpr auto micro_table(std::integer_sequence<int, R...>) {
  return std::array<MicroFn, sizeof...(R)>{micro<R + 1>...};
}
constexpr auto micros = micro_table(std::make_integer_sequence<int, kMr>{});

// k pairs per chunk: 256 pairs x 32 columns x 4 bytes = 32 KB of a panel in L1.
constexpr int64_t kKc2 = 256;
constexpr int64_t kTileGroups = 4;
constexpr int64_t kTilePanels = 4;
constexpr int64_t kMinTilesPerThread = 4;

uint16_t to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40);  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return uint16_t(u >> 16);
}

// The caller's activations as bf16 pairs (see gemm_f32.cpp's a_buffer for why per thread).
uint32_t* a_buffer(size_t words) {
  struct Buf {
    uint32_t* p = nullptr;
    size_t n = 0;
    ~Buf() { ::operator delete(p, std::align_val_t(64)); }
  };
  thread_local Buf buf;
  if (buf.n < words) {
    ::operator delete(buf.p, std::align_val_t(64));
    buf.p = static_cast<uint32_t*>(::operator new(words * sizeof(uint32_t), std::align_val_t(64)));
    buf.n = words;
  }
  return buf.p;
}

void pack_group(const float* x, int64_t m, int64_t k, int64_t g, uint32_t* dst) {
  const int64_t r0 = g * kMr, rows = std::min<int64_t>(kMr, m - r0), kp2 = (k + 1) / 2;
  for (int64_t r = 0; r < kMr; ++r) {
    const float* src = x + (r0 + r) * k;
    for (int64_t kk = 0; kk < kp2; ++kk) {
      uint32_t lo = 0, hi = 0;
      if (r < rows) {
        lo = to_bf16(src[2 * kk]);
        hi = 2 * kk + 1 < k ? to_bf16(src[2 * kk + 1]) : 0;
      }
      dst[kk * kMr + r] = lo | (hi << 16);
    }
  }
}

}  // namespace

void gemm_packed_bf16(const float* x, int64_t m, int64_t k, const PackedPanelsView& w, const float* bias, float* y,
                      Activation act) {
  const int64_t n = w.n, panels = (n + kNr - 1) / kNr, groups = (m + kMr - 1) / kMr, kp2 = (k + 1) / 2;
  uint32_t* apack = a_buffer(size_t(groups * kp2 * kMr));
  parallel_for(groups, 1, [&](int64_t g0, int64_t g1) {
    for (int64_t g = g0; g < g1; ++g) pack_group(x, m, k, g, apack + g * kp2 * kMr);
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
      for (int64_t kc0 = 0; kc0 < kp2; kc0 += kKc2) {
        const int64_t kc = std::min(kKc2, kp2 - kc0);
        for (int64_t p = p0; p < p1; ++p) {
          const uint16_t* bp = w.data16 + (p * kp2 + kc0) * 2 * kNr;
          const int ncols = int(std::min<int64_t>(kNr, n - p * kNr));
          const float* init = kc0 == 0 && bias ? bias + p * kNr : nullptr;
          for (int64_t g = g0; g < g1; ++g) {
            const int rows = int(std::min<int64_t>(kMr, m - g * kMr));
            micros[size_t(rows - 1)](apack + (g * kp2 + kc0) * kMr, bp, kc, y + g * kMr * n + p * kNr, n, ncols,
                                     init, kc0 > 0);
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
