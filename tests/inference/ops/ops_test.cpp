#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "inference/ops/attention.h"
#include "inference/ops/elementwise.h"
#include "inference/ops/gemm.h"
#include "inference/ops/norm.h"
#include "inference/ops/parallel.h"
#include "inference/ops/reference.h"

namespace hub::inference::ops {
namespace {

std::vector<float> random_vec(size_t n, uint32_t seed, float scale = 1.f) {
  std::mt19937 g(seed);
  std::normal_distribution<float> d(0.f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

TEST(Ops, LinearMatchesReferenceOnOddShapes) {
  // The last two are large enough to be split across the pool (column blocks per thread).
  for (auto [m, k, n] : {std::tuple{1, 1, 1}, {7, 33, 5}, {64, 96, 130}, {3, 768, 17},
                         {128, 256, 200}, {1, 1024, 1030}}) {
    auto x = random_vec(size_t(m * k), 1), w = random_vec(size_t(n * k), 2), b = random_vec(size_t(n), 3);
    std::vector<float> y(size_t(m * n)), r(size_t(m * n));
    linear(x.data(), m, k, w.data(), n, b.data(), y.data());
    reference::linear(x.data(), m, k, w.data(), n, b.data(), r.data());
    EXPECT_LT(max_abs_diff(y, r), 1e-3f * std::sqrt(float(k))) << m << "x" << k << "x" << n;
  }
}

TEST(Ops, GemmTransposesAndAccumulates) {
  const int m = 70, n = 90, k = 130;  // big enough to take the split path
  auto a = random_vec(size_t(k * m), 21), b = random_vec(size_t(k * n), 22), c0 = random_vec(size_t(m * n), 23);
  // op(A) = Aᵀ with A stored [k, m]; op(B) = B stored [k, n]; C = 0.5·AᵀB + 2·C0.
  auto c = c0;
  gemm(true, false, m, n, k, 0.5f, a.data(), m, b.data(), n, 2.f, c.data(), n);
  float worst = 0;
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double acc = 0;
      for (int t = 0; t < k; ++t) acc += double(a[size_t(t * m + i)]) * b[size_t(t * n + j)];
      worst = std::max(worst, float(std::abs(0.5 * acc + 2.0 * c0[size_t(i * n + j)] - c[size_t(i * n + j)])));
    }
  EXPECT_LT(worst, 1e-3f);
}

TEST(Ops, ActivationsMatchReferenceIncludingTails) {
  for (Activation act : {Activation::none, Activation::gelu_erf, Activation::gelu_tanh,
                         Activation::relu, Activation::silu, Activation::tanh, Activation::sigmoid}) {
    const int rows = 5, cols = 37;  // 37: a vector tail on every row
    auto x = random_vec(rows * cols, 4, 4.f);
    x[0] = 0.f;
    x[1] = -20.f;
    x[2] = 20.f;
    x[3] = 1e-4f;
    auto bias = random_vec(cols, 5);
    auto y = x, r = x;
    bias_act(y.data(), rows, cols, bias.data(), act);
    reference::bias_act(r.data(), rows, cols, bias.data(), act);
    EXPECT_LT(max_abs_diff(y, r), 2e-6f * 20) << int(act);
    for (size_t i = 0; i < y.size(); ++i) {
      float rel = std::abs(y[i] - r[i]) / std::max(1.f, std::abs(r[i]));
      ASSERT_LT(rel, 1e-6f) << "act " << int(act) << " x=" << x[i];
    }
  }
}

TEST(Ops, ActivationNames) {
  EXPECT_EQ(activation_from_name("gelu"), Activation::gelu_erf);
  EXPECT_EQ(activation_from_name("gelu_new"), Activation::gelu_tanh);
  EXPECT_EQ(activation_from_name("swish"), Activation::silu);
  EXPECT_FALSE(activation_from_name("mish").has_value());
}

TEST(Ops, SoftmaxMatchesReferenceAndHandlesMaskedValues) {
  auto x = random_vec(6 * 129, 6, 10.f);
  x[5] = std::numeric_limits<float>::lowest();  // a masked score
  auto y = x, r = x;
  softmax(y.data(), 6, 129);
  reference::softmax(r.data(), 6, 129);
  EXPECT_LT(max_abs_diff(y, r), 1e-6f);
  EXPECT_EQ(y[5], 0.f);
  double sum = 0;
  for (int i = 0; i < 129; ++i) sum += y[size_t(i)];
  EXPECT_NEAR(sum, 1.0, 1e-5);
}

TEST(Ops, LayerNormWithResidualAndRmsNorm) {
  const int rows = 9, cols = 100;
  auto x = random_vec(rows * cols, 7, 3.f), res = random_vec(rows * cols, 8);
  auto g = random_vec(cols, 9), b = random_vec(cols, 10);
  for (auto& v : x) v += 5.f;  // a large mean stresses the variance computation
  auto y = x, r = x;
  layer_norm(y.data(), res.data(), rows, cols, g.data(), b.data(), 1e-5f);
  reference::layer_norm(r.data(), res.data(), rows, cols, g.data(), b.data(), 1e-5f);
  EXPECT_LT(max_abs_diff(y, r), 2e-5f);
  y = x;
  r = x;
  rms_norm(y.data(), rows, cols, g.data(), 1e-6f);
  reference::rms_norm(r.data(), rows, cols, g.data(), 1e-6f);
  EXPECT_LT(max_abs_diff(y, r), 1e-5f);
}

TEST(Ops, AttentionMatchesReferenceWithMaskAndOddSizes) {
  for (auto [batch, seq, heads, d] : {std::tuple{1, 1, 1, 8}, {2, 13, 3, 20}, {3, 33, 2, 64}, {1, 5, 1, 80},
                                      {1, 128, 2, 32}, {2, 40, 2, 64}, {1, 77, 1, 48}, {1, 9, 1, 130}}) {
    int64_t hd = heads * d;
    AttentionShape s{batch, seq, heads, d, 3 * hd, 3 * hd, 3 * hd, hd};
    auto qkv = random_vec(size_t(batch * seq * 3 * hd), 11);
    std::vector<float> mask(size_t(batch * seq), 0.f);
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t j = seq - b * 2; j < seq; ++j)
        if (j > 0) mask[size_t(b * seq + j)] = std::numeric_limits<float>::lowest();
    std::vector<float> out(size_t(batch * seq * hd)), ref(out.size());
    std::vector<float> scratch(size_t(attention_scratch_size(s, num_threads())));
    float scale = 1.f / std::sqrt(float(d));
    attention(s, qkv.data(), qkv.data() + hd, qkv.data() + 2 * hd, mask.data(), nullptr, scale, out.data(), scratch.data());
    reference::attention(s, qkv.data(), qkv.data() + hd, qkv.data() + 2 * hd, mask.data(), nullptr, scale, ref.data());
    EXPECT_LT(max_abs_diff(out, ref), 1e-5f) << batch << "," << seq << "," << heads << "," << d;
    // With a per-head position bias (MPNet).
    auto bias = random_vec(size_t(heads * seq * seq), 12, 2.f);
    attention(s, qkv.data(), qkv.data() + hd, qkv.data() + 2 * hd, mask.data(), bias.data(), scale, out.data(), scratch.data());
    reference::attention(s, qkv.data(), qkv.data() + hd, qkv.data() + 2 * hd, mask.data(), bias.data(), scale, ref.data());
    EXPECT_LT(max_abs_diff(out, ref), 1e-5f) << "bias " << batch << "," << seq << "," << heads << "," << d;
  }
}

TEST(Ops, ParallelForCoversRangeOnceAndNests) {
  std::vector<int> hits(10007, 0);
  parallel_for(int64_t(hits.size()), 100, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) ++hits[size_t(i)];
    // A nested call runs serially in the caller rather than deadlocking.
    parallel_for(4, 1, [&](int64_t, int64_t) {});
  });
  for (int h : hits) ASSERT_EQ(h, 1);
}

TEST(Ops, EmbeddingGather) {
  std::vector<float> table = {0, 1, 10, 11, 20, 21};
  int32_t ids[3] = {2, 0, 2};
  std::vector<float> out(6);
  embedding_gather(table.data(), 2, ids, 3, out.data());
  EXPECT_EQ(out, (std::vector<float>{20, 21, 0, 1, 20, 21}));
}

}  // namespace
}  // namespace hub::inference::ops
