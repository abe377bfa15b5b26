// ops/gemm_bf16.h against a naive reference (double sums over the exactly upconverted
// weights): both paths (small m, register-blocked; large m, converted panels + sgemm), ragged
// k and n (not multiples of the 16-lane vectors or the 4/8-row blocks), bias + activation,
// 1 and 2 threads; and the bf16 row gather / conversion.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "inference/ops/gemm_bf16.h"
#include "inference/ops/parallel.h"
#include "inference/tensor/dtype.h"

namespace hub::inference::ops {
namespace {

struct Case {
  std::vector<float> x;
  std::vector<uint16_t> w;
  std::vector<float> bias;
};

Case make(int64_t m, int64_t k, int64_t n, uint32_t seed) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d(0.f, 1.f);
  Case c;
  c.x.resize(size_t(m * k));
  for (auto& v : c.x) v = d(g);
  c.w.resize(size_t(n * k));
  for (auto& v : c.w) v = f32_to_bf16(d(g) * 0.2f);
  c.bias.resize(size_t(n));
  for (auto& v : c.bias) v = d(g);
  return c;
}

// Returns the worst |y - ref| / (sum_k |x w| + 1e-3): the f32 summation-order noise bound.
double check(int64_t m, int64_t k, int64_t n, bool with_bias, Activation act, uint32_t seed) {
  Case c = make(m, k, n, seed);
  std::vector<float> y(size_t(m * n), std::nanf(""));
  linear_bf16(c.x.data(), m, k, c.w.data(), n, with_bias ? c.bias.data() : nullptr, y.data(), act);
  double worst = 0;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double s = 0, mag = 0;
      for (int64_t kk = 0; kk < k; ++kk) {
        const double p = double(c.x[size_t(i * k + kk)]) * double(bf16_to_f32(c.w[size_t(j * k + kk)]));
        s += p;
        mag += std::abs(p);
      }
      if (with_bias) s += c.bias[size_t(j)], mag += std::abs(c.bias[size_t(j)]);
      if (act == Activation::relu) s = std::max(s, 0.0);
      const double got = y[size_t(i * n + j)];
      if (!std::isfinite(got)) return 1e30;  // an output left unwritten
      worst = std::max(worst, std::abs(got - s) / (mag + 1e-3));
    }
  return worst;
}

TEST(GemmBf16, SmallMAllRowCountsRaggedShapes) {
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    for (int64_t m = 1; m <= 20; ++m)  // 17..20 take the large-m path
      for (auto [k, n] : {std::pair<int64_t, int64_t>{1, 1}, {15, 3}, {16, 8}, {17, 9}, {33, 7},
                          {100, 31}, {257, 130}, {64, 13}})
        EXPECT_LT(check(m, k, n, m % 2 == 0, Activation::none, uint32_t(m * 1000 + k + n)), 2e-6)
            << "m=" << m << " k=" << k << " n=" << n << " threads=" << threads;
  }
  set_num_threads(2);
}

TEST(GemmBf16, LargeMPanelsAndActivation) {
  // n = 300: three 128-row panels, the last ragged; m = 129 > the small-m limit.
  for (auto [m, k, n] : {std::tuple<int64_t, int64_t, int64_t>{129, 257, 300}, {17, 1000, 129},
                         {64, 48, 97}, {200, 16, 5}})
    EXPECT_LT(check(m, k, n, true, Activation::relu, uint32_t(m + k + n)), 2e-6)
        << "m=" << m << " k=" << k << " n=" << n;
  // A decode-sized product with a long k (the down projection shape).
  EXPECT_LT(check(1, 2816, 1024, false, Activation::none, 5), 2e-6);
  EXPECT_LT(check(8, 2816, 1024, true, Activation::none, 6), 2e-6);
}

TEST(GemmBf16, ConversionIsExactAndGatherPicksRows) {
  std::vector<uint16_t> t;
  for (uint32_t v = 0; v < 65536; v += 7) t.push_back(uint16_t(v));
  std::vector<float> f(t.size());
  upconvert_bf16(t.data(), f.data(), int64_t(t.size()));
  for (size_t i = 0; i < t.size(); ++i) {
    const float want = bf16_to_f32(t[i]);
    if (std::isnan(want)) EXPECT_TRUE(std::isnan(f[i]));
    else EXPECT_EQ(f[i], want) << i;
  }
  const int64_t dim = 37;  // ragged: 2 full vectors + 5
  std::vector<uint16_t> table(size_t(5 * dim));
  for (size_t i = 0; i < table.size(); ++i) table[i] = f32_to_bf16(float(i) * 0.5f);
  const int32_t ids[] = {4, 0, 4, 2};
  std::vector<float> out(size_t(4 * dim));
  embedding_gather_bf16(table.data(), dim, ids, 4, out.data());
  for (int r = 0; r < 4; ++r)
    for (int64_t j = 0; j < dim; ++j) EXPECT_EQ(out[size_t(r * dim + j)], float(ids[r] * dim + j) * 0.5f);
}

}  // namespace
}  // namespace hub::inference::ops
