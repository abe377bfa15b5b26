#include "inference/layers/encoder.h"

#include <gtest/gtest.h>

#include <random>

#include "inference/layers/heads.h"
#include "inference/layers/workspace.h"

namespace hub::inference::layers {
namespace {

Tensor random_tensor(const Shape& s, std::mt19937& g, float scale, float base = 0.f) {
  Tensor t = Tensor::empty(s);
  std::normal_distribution<float> d(0.f, scale);
  for (auto& v : t.values()) v = base + d(g);
  return t;
}

Encoder tiny_encoder() {
  std::mt19937 g(3);
  EncoderConfig c;
  c.vocab_size = 50;
  c.hidden_size = c.embedding_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 2;
  c.intermediate_size = 24;
  c.max_position_embeddings = 64;
  c.type_vocab_size = 2;
  EncoderWeights w;
  w.word_embeddings = random_tensor(Shape{50, 16}, g, 0.5f);
  w.position_embeddings = random_tensor(Shape{64, 16}, g, 0.5f);
  w.token_type_embeddings = random_tensor(Shape{2, 16}, g, 0.5f);
  auto norm = [&](int64_t d) { return Norm{random_tensor(Shape{d}, g, 0.1f, 1.f), random_tensor(Shape{d}, g, 0.1f), 1e-12f}; };
  auto lin = [&](int64_t i, int64_t o) { return Linear{random_tensor(Shape{o, i}, g, 0.3f), random_tensor(Shape{o}, g, 0.1f)}; };
  w.embeddings_norm = norm(16);
  for (int i = 0; i < 2; ++i)
    w.layers.push_back(EncoderLayer{lin(16, 16), lin(16, 16), lin(16, 16), lin(16, 16), norm(16),
                                    lin(16, 24), lin(24, 16), norm(16)});
  return Encoder(c, std::move(w));
}

TEST(Encoder, SteadyStateForwardDoesNotAllocate) {
  Encoder enc = tiny_encoder();
  std::vector<int32_t> ids(4 * 20, 7), mask(ids.size(), 1);
  Workspace ws;
  ws.reserve(enc.workspace_floats(4, 20));
  enc.forward(Batch{4, 20, ids, mask, {}}, ws);
  EXPECT_EQ(ws.n_allocations(), 1);
  for (int64_t seq : {20, 5, 13, 1}) {
    ws.reserve(enc.workspace_floats(4, seq));
    enc.forward(Batch{4, seq, std::span(ids).first(size_t(4 * seq)), std::span(mask).first(size_t(4 * seq)), {}}, ws);
  }
  EXPECT_EQ(ws.n_allocations(), 1);  // smaller shapes reuse the arena
  ws.reserve(enc.workspace_floats(4, 21));
  EXPECT_EQ(ws.n_allocations(), 2);
}

TEST(Encoder, ForwardIsDeterministicAndMaskMatters) {
  Encoder enc = tiny_encoder();
  std::vector<int32_t> ids = {1, 2, 3, 4, 5, 6}, all(6, 1), some = {1, 1, 1, 1, 0, 0};
  Workspace ws;
  ws.reserve(enc.workspace_floats(1, 6));
  const float* h = enc.forward(Batch{1, 6, ids, all, {}}, ws);
  std::vector<float> a(h, h + 6 * 16);
  ws.reserve(enc.workspace_floats(1, 6));
  h = enc.forward(Batch{1, 6, ids, all, {}}, ws);
  EXPECT_EQ(a, std::vector<float>(h, h + 6 * 16));
  ws.reserve(enc.workspace_floats(1, 6));
  h = enc.forward(Batch{1, 6, ids, some, {}}, ws);
  EXPECT_NE(a[0], h[0]);  // masking keys changes the first token's state
  // The first 4 tokens with padding masked equal a run on those 4 tokens alone.
  std::vector<float> masked(h, h + 4 * 16);
  ws.reserve(enc.workspace_floats(1, 4));
  h = enc.forward(Batch{1, 4, std::span(ids).first(4), {}, {}}, ws);
  for (int i = 0; i < 4 * 16; ++i) EXPECT_NEAR(masked[size_t(i)], h[i], 1e-5f);
}

TEST(Encoder, CheckBatchRejectsOutOfRangeInputs) {
  Encoder enc = tiny_encoder();
  std::vector<int32_t> ids = {1, 50};
  EXPECT_NE(enc.check_batch(Batch{1, 2, ids, {}, {}}), "");
  ids = {1, 2};
  EXPECT_EQ(enc.check_batch(Batch{1, 2, ids, {}, {}}), "");
  std::vector<int32_t> types = {0, 2};
  EXPECT_NE(enc.check_batch(Batch{1, 2, ids, {}, types}), "");
  std::vector<int32_t> short_mask = {1};
  EXPECT_NE(enc.check_batch(Batch{1, 2, ids, short_mask, {}}), "");
  EXPECT_NE(enc.check_batch(Batch{0, 0, {}, {}, {}}), "");
}

TEST(Pooling, ModesAndNormalisation) {
  // batch 1, seq 3, hidden 2; the last token is padding.
  std::vector<float> h = {1, 2, 3, -4, 100, 100};
  std::vector<int32_t> mask = {1, 1, 0};
  PoolingConfig cfg;
  cfg.modes = {PoolingMode::cls, PoolingMode::max, PoolingMode::mean, PoolingMode::mean_sqrt_len};
  std::vector<float> out(8);
  pool(h.data(), 1, 3, 2, mask, cfg, out.data());
  std::vector<float> want = {1, 2, 3, 2, 2, -1, 4 / std::sqrt(2.f), -2 / std::sqrt(2.f)};
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(out[size_t(i)], want[size_t(i)], 1e-6f) << i;
  cfg.modes = {PoolingMode::mean};
  cfg.normalize = true;
  pool(h.data(), 1, 3, 2, mask, cfg, out.data());
  EXPECT_NEAR(out[0], 2 / std::sqrt(5.f), 1e-6f);
  EXPECT_NEAR(out[1], -1 / std::sqrt(5.f), 1e-6f);
}

TEST(WorkspacePool, ReusesReturnedWorkspaces) {
  WorkspacePool pool;
  Workspace* first;
  {
    auto a = pool.acquire();
    first = &*a;
    auto b = pool.acquire();
    EXPECT_NE(&*b, first);
  }
  auto c = pool.acquire();
  auto d = pool.acquire();
  EXPECT_TRUE(&*c == first || &*d == first);
}

}  // namespace
}  // namespace hub::inference::layers

namespace hub::inference::layers {
namespace {

TEST(Encoder, RelativePositionBuckets) {
  // (key - query) -> bucket with 32 buckets: keys before the query use 0..15, after 16..31;
  // exact up to distance 7, then logarithmic up to 128.
  const std::pair<int64_t, int64_t> cases[] = {{0, 0},    {-1, 1},    {1, 17},   {-7, 7},
                                               {-8, 8},   {-16, 10},  {16, 26},  {-127, 15},
                                               {-200, 15}, {200, 31}, {-12, 9},  {45, 28}};
  for (auto [rel, bucket] : cases) EXPECT_EQ(relative_position_bucket(rel, 32), bucket) << rel;
}

}  // namespace
}  // namespace hub::inference::layers
