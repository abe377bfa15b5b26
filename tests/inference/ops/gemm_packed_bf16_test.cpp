// ops/gemm.h's bf16 encoder GEMM (PackedWeights with WeightFormat::bf16): against a scalar
// double-precision reference on the same bf16-rounded operands (so only summation order may
// differ), on ragged shapes (m around the 12-row groups, n around the 32-column panels, odd k,
// k around the 512-value chunk), with bias + activation, on 1 and 2 threads; and its error
// against the exact f32 product, which bf16 rounding bounds. Skipped where the CPU level has
// no bf16 kernel (pack falls back to f32 there, checked too).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "inference/ops/cpu.h"
#include "inference/ops/gemm.h"
#include "inference/ops/parallel.h"

namespace hub::inference::ops {
namespace {

std::vector<float> random_vec(size_t n, uint32_t seed) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d(0.f, 1.f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

// Round to nearest even bf16, returned as f32 (the scalar reference of the kernels' rounding).
double bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7fffu + ((u >> 16) & 1u);
  u &= 0xffff0000u;
  float r;
  std::memcpy(&r, &u, 4);
  return r;
}

struct Errors { double vs_bf16_ref, vs_f32; };

// Worst |y - ref| / (Σ|x·w| + |b| + 1e-3) against the bf16-operand reference and against f32.
Errors check(int64_t m, int64_t k, int64_t n, bool with_bias, Activation act, uint32_t seed) {
  auto x = random_vec(size_t(m * k), seed), w = random_vec(size_t(n * k), seed + 1),
       b = random_vec(size_t(n), seed + 2);
  PackedWeights p = PackedWeights::pack(w.data(), n, k, WeightFormat::bf16);
  EXPECT_EQ(p.format(), WeightFormat::bf16);
  std::vector<float> y(size_t(m * n) + 1, std::nanf(""));
  y.back() = 12345.f;
  linear_packed(x.data(), m, p, with_bias ? b.data() : nullptr, y.data(), act);
  EXPECT_EQ(y.back(), 12345.f) << "wrote past y";
  Errors e{0, 0};
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0, exact = 0, mag = 1e-3;
      for (int64_t t = 0; t < k; ++t) {
        const float xv = x[size_t(i * k + t)], wv = w[size_t(j * k + t)];
        s += bf16(xv) * bf16(wv);
        exact += double(xv) * double(wv);
        mag += std::abs(double(xv) * double(wv));
      }
      if (with_bias) s += b[size_t(j)], exact += b[size_t(j)], mag += std::abs(b[size_t(j)]);
      if (act == Activation::relu) s = std::max(s, 0.0), exact = std::max(exact, 0.0);
      const double got = y[size_t(i * n + j)];
      if (!std::isfinite(got)) return {1e30, 1e30};
      e.vs_bf16_ref = std::max(e.vs_bf16_ref, std::abs(got - s) / mag);
      e.vs_f32 = std::max(e.vs_f32, std::abs(got - exact) / mag);
    }
  return e;
}

TEST(GemmPackedBf16, MatchesReferenceOnRaggedShapes) {
  SCOPED_TRACE(cpu_description());
  if (!packed_bf16_supported()) {
    const float w[6] = {1, 2, 3, 4, 5, 6};
    EXPECT_EQ(PackedWeights::pack(w, 2, 3, WeightFormat::bf16).format(), WeightFormat::f32);
    GTEST_SKIP() << "no bf16 kernel at this level";
  }
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {1, 7, 33}, {2, 16, 16}, {5, 31, 17},
                           {11, 64, 31}, {12, 511, 32}, {13, 512, 48}, {25, 513, 65}, {97, 1030, 129},
                           {130, 96, 200}, {128, 768, 96}})
      for (Activation act : {Activation::none, Activation::relu}) {
        const Errors e = check(m, k, n, (m + n) % 2 == 0, act, uint32_t(m * 7 + k + n));
        EXPECT_LT(e.vs_bf16_ref, 1e-5) << "m=" << m << " k=" << k << " n=" << n << " threads=" << threads;
        // bf16 keeps 8 significant bits: each product is off by < 2^-8 relative.
        EXPECT_LT(e.vs_f32, 1.0 / 128) << "m=" << m << " k=" << k << " n=" << n;
      }
  }
  set_num_threads(2);
}

TEST(GemmPackedBf16, EveryRowCountOfAGroup) {
  if (!packed_bf16_supported()) GTEST_SKIP() << "no bf16 kernel at this level";
  for (int64_t m = 1; m <= 26; ++m)
    EXPECT_LT(check(m, 40, 70, true, Activation::relu, uint32_t(m)).vs_bf16_ref, 1e-5) << m;
}

}  // namespace
}  // namespace hub::inference::ops
