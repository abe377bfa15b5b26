// ops/gemm.h's own f32 GEMM (PackedWeights + linear_packed) against a double-precision
// reference, on ragged shapes: m not a multiple of the micro-kernel's rows (12/6/4), n not a
// multiple of the panel width (32/16), k around the 256 chunk, with bias + activation, on 1
// and 2 threads. Runs at every CPU level through the HUBD_CPU ctest entries
// (tests/inference/CMakeLists.txt); also checks the level selection itself.
#include <gtest/gtest.h>

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

// Worst |y - ref| / (Σ|x·w| + |b| + 1e-3): f32 summation-order noise is ~k·2⁻²⁴ of that.
double check(int64_t m, int64_t k, int64_t n, bool with_bias, Activation act, uint32_t seed) {
  auto x = random_vec(size_t(m * k), seed), w = random_vec(size_t(n * k), seed + 1),
       b = random_vec(size_t(n), seed + 2);
  PackedWeights p = PackedWeights::pack(w.data(), n, k);
  EXPECT_EQ(p.n(), n);
  EXPECT_EQ(p.k(), k);
  // Poisoned output: a value the kernel fails to write shows up as NaN.
  std::vector<float> y(size_t(m * n) + 1, std::nanf(""));
  y.back() = 12345.f;  // and one past the end must stay untouched
  linear_packed(x.data(), m, p, with_bias ? b.data() : nullptr, y.data(), act);
  EXPECT_EQ(y.back(), 12345.f) << "wrote past y";
  double worst = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0, mag = 1e-3;
      for (int64_t t = 0; t < k; ++t) {
        const double v = double(x[size_t(i * k + t)]) * double(w[size_t(j * k + t)]);
        s += v;
        mag += std::abs(v);
      }
      if (with_bias) s += b[size_t(j)], mag += std::abs(b[size_t(j)]);
      if (act == Activation::relu) s = std::max(s, 0.0);
      const double got = y[size_t(i * n + j)];
      if (!std::isfinite(got)) return 1e30;
      worst = std::max(worst, std::abs(got - s) / mag);
    }
  return worst;
}

TEST(GemmF32, PackedMatchesReferenceOnRaggedShapes) {
  SCOPED_TRACE(cpu_description());
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{1, 1, 1}, {1, 7, 33}, {2, 16, 16},
                           {5, 31, 17}, {11, 64, 31}, {12, 255, 32}, {13, 256, 48}, {25, 257, 65},
                           {96, 100, 130}, {97, 513, 129}, {130, 96, 200}, {3, 1030, 7}})
      EXPECT_LT(check(m, k, n, (m + n) % 2 == 0, Activation::none, uint32_t(m * 7 + k + n)), 1e-5)
          << "m=" << m << " k=" << k << " n=" << n << " threads=" << threads;
  }
  set_num_threads(2);
}

TEST(GemmF32, EncoderShapesWithBiasAndActivation) {
  // BERT-base-like projections at batch 1 (128 rows), scaled down in n to stay quick.
  EXPECT_LT(check(128, 768, 96, true, Activation::relu, 1), 1e-5);
  EXPECT_LT(check(128, 3072, 40, true, Activation::none, 2), 1e-5);
  // Every row count through one micro-kernel group and the next.
  for (int64_t m = 1; m <= 26; ++m) EXPECT_LT(check(m, 40, 70, true, Activation::relu, uint32_t(m)), 1e-5) << m;
}

TEST(GemmF32, EmptyAndZeroK) {
  PackedWeights none;
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(none.bytes(), 0u);
  // k = 0: y = bias.
  const float b[3] = {1.f, -2.f, 3.f};
  PackedWeights p = PackedWeights::pack(nullptr, 3, 0);
  float y[6] = {9, 9, 9, 9, 9, 9};
  linear_packed(nullptr, 2, p, b, y);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y[i], b[i % 3]);
}

TEST(CpuLevel, SelectionAndRefusal) {
  EXPECT_EQ(*select_cpu_level(nullptr), best_cpu_level());
  EXPECT_EQ(*select_cpu_level(""), best_cpu_level());
  EXPECT_EQ(*select_cpu_level("baseline"), CpuLevel::baseline);
  auto bad = select_cpu_level("avx9000");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::invalid_argument);
  EXPECT_NE(bad.error().message.find("baseline, avx2 or avx512"), std::string::npos);
  for (CpuLevel l : {CpuLevel::avx2, CpuLevel::avx512}) {
    auto r = select_cpu_level(std::string(cpu_level_name(l)).c_str());
    if (cpu_supports(l)) {
      EXPECT_EQ(*r, l);
    } else {
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error().code, Errc::unsupported);
    }
  }
  // The level in use is the one HUBD_CPU asked for (the per-level ctest entries set it).
  if (const char* e = std::getenv("HUBD_CPU"); e && *e) {
    EXPECT_EQ(cpu_level_name(cpu_level()), e);
  }
  EXPECT_TRUE(cpu_supports(cpu_level()));
  // Packing follows the level: 32-wide panels for AVX-512, 16 otherwise.
  PackedWeights p = PackedWeights::pack(std::vector<float>(8).data(), 2, 4);
  EXPECT_EQ(p.panel_width(), cpu_level() == CpuLevel::avx512 ? 32 : 16);
}

}  // namespace
}  // namespace hub::inference::ops
