// ops/gemm.h's int8 encoder GEMM (PackedWeights with WeightFormat::int8): against a scalar
// reference that quantises the same way (weights per output feature, activations per row,
// scale = max|v|/127, round to nearest) and sums the integer products exactly, on ragged
// shapes (m around the 12-row groups, n around the 32-column panels, k not a multiple of 4, k
// around the 1024-value chunk, an all-zero row), with bias + activation, on 1 and 2 threads;
// and its error against the f32 product. Skipped where the CPU level has no int8 kernel.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
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

// Row `r` of [rows, k] quantised: the integers and the scale.
std::vector<int> quantise(const float* row, int64_t k, double* scale) {
  float amax = 0.f;
  for (int64_t t = 0; t < k; ++t) amax = std::max(amax, std::abs(row[t]));
  const float inv = amax > 0.f ? 127.f / amax : 0.f;
  *scale = double(amax / 127.f);
  std::vector<int> q(static_cast<size_t>(k));
  for (int64_t t = 0; t < k; ++t) q[size_t(t)] = std::clamp(int(std::nearbyint(row[t] * inv)), -127, 127);
  return q;
}

struct Errors { double vs_int8_ref, vs_f32; };

Errors check(int64_t m, int64_t k, int64_t n, bool with_bias, Activation act, uint32_t seed) {
  auto x = random_vec(size_t(m * k), seed), w = random_vec(size_t(n * k), seed + 1),
       b = random_vec(size_t(n), seed + 2);
  if (m > 3) std::fill(x.begin() + 2 * k, x.begin() + 3 * k, 0.f);  // an all-zero row (scale 0)
  PackedWeights p = PackedWeights::pack(w.data(), n, k, WeightFormat::int8);
  EXPECT_EQ(p.format(), WeightFormat::int8);
  std::vector<float> y(size_t(m * n) + 1, std::nanf(""));
  y.back() = 12345.f;
  linear_packed(x.data(), m, p, with_bias ? b.data() : nullptr, y.data(), act);
  EXPECT_EQ(y.back(), 12345.f) << "wrote past y";
  std::vector<std::vector<int>> qw(static_cast<size_t>(n));
  std::vector<double> sw(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) qw[size_t(j)] = quantise(w.data() + j * k, k, &sw[size_t(j)]);
  Errors e{0, 0};
  for (int64_t i = 0; i < m; ++i) {
    double sx;
    const auto qx = quantise(x.data() + i * k, k, &sx);
    for (int64_t j = 0; j < n; ++j) {
      int64_t dot = 0;
      double exact = 0, mag = 1e-3;
      for (int64_t t = 0; t < k; ++t) {
        dot += int64_t(qx[size_t(t)]) * qw[size_t(j)][size_t(t)];
        exact += double(x[size_t(i * k + t)]) * double(w[size_t(j * k + t)]);
        mag += std::abs(double(x[size_t(i * k + t)]) * double(w[size_t(j * k + t)]));
      }
      double s = double(dot) * sx * sw[size_t(j)];
      if (with_bias) s += b[size_t(j)], exact += b[size_t(j)], mag += std::abs(b[size_t(j)]);
      if (act == Activation::relu) s = std::max(s, 0.0), exact = std::max(exact, 0.0);
      const double got = y[size_t(i * n + j)];
      if (!std::isfinite(got)) return {1e30, 1e30};
      e.vs_int8_ref = std::max(e.vs_int8_ref, std::abs(got - s) / mag);
      e.vs_f32 = std::max(e.vs_f32, std::abs(got - exact) / mag);
    }
  }
  return e;
}

TEST(GemmPackedInt8, MatchesReferenceOnRaggedShapes) {
  SCOPED_TRACE(cpu_description());
  if (!packed_int8_supported()) {
    const float w[6] = {1, 2, 3, 4, 5, 6};
    EXPECT_EQ(PackedWeights::pack(w, 2, 3, WeightFormat::int8).format(), WeightFormat::f32);
    GTEST_SKIP() << "no int8 kernel at this level";
  }
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {1, 7, 33}, {2, 16, 16}, {5, 31, 17},
                           {11, 64, 31}, {12, 1023, 32}, {13, 1024, 48}, {25, 1027, 65}, {97, 2050, 129},
                           {130, 96, 200}, {128, 768, 96}})
      for (Activation act : {Activation::none, Activation::relu}) {
        const Errors e = check(m, k, n, (m + n) % 2 == 0, act, uint32_t(m * 7 + k + n));
        EXPECT_LT(e.vs_int8_ref, 1e-5) << "m=" << m << " k=" << k << " n=" << n << " threads=" << threads;
        // Two roundings to 1/254 of each row's range: a few percent of Σ|x·w| at worst.
        EXPECT_LT(e.vs_f32, 0.05) << "m=" << m << " k=" << k << " n=" << n;
      }
  }
  set_num_threads(2);
}

TEST(GemmPackedInt8, EveryRowCountOfAGroup) {
  if (!packed_int8_supported()) GTEST_SKIP() << "no int8 kernel at this level";
  for (int64_t m = 1; m <= 26; ++m)
    EXPECT_LT(check(m, 40, 70, true, Activation::relu, uint32_t(m)).vs_int8_ref, 1e-5) << m;
}

}  // namespace
}  // namespace hub::inference::ops
