// runtime/model_cache: a loaded model counts its full memory estimate (weights, tables, KV
// caches, scratch) against the budget, not the weight files' size the caller guessed; models
// that do not fit together evict each other; a load refused by the estimate is a too_large
// error, remembered. Tiny Llama checkpoints written by the test.
#include "inference/runtime/model_cache.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "inference/models/tiny_checkpoint.h"

namespace hub::inference::runtime {
namespace {

using std::chrono::seconds;

struct Dir {
  std::string path = testing::temp_model_dir("model-cache");
  ~Dir() { std::filesystem::remove_all(path); }
};

ModelCache::Loader loader(const std::string& dir, size_t budget) {
  return [dir, budget] {
    LoadOptions o;
    o.limits.budget_bytes = budget;
    o.limits.generation_slots = 8;
    return load_model(dir, o);
  };
}

TEST(ModelCache, AccountsTheFullEstimateNotTheWeightFiles) {
  Dir a, b;
  testing::write_llama(a.path, {}, {}, "\"max_position_embeddings\": 4096");
  testing::write_llama(b.path, {}, {}, "\"max_position_embeddings\": 4096");
  const size_t budget = 8u << 20;
  ModelCache cache(budget);
  auto m = cache.get_wait("a", 1000, loader(a.path, budget), seconds(60));
  ASSERT_TRUE(m) << m.error().message;
  const uint64_t full = (*m)->memory().total();
  EXPECT_GT(full, (*m)->memory().weights * 10) << "KV caches for 8 slots x 4096 positions dominate";
  EXPECT_EQ(cache.used_bytes(), full);
  // Two such models exceed the budget (each ~4.5 MiB): the second evicts the first.
  ASSERT_GT(2 * full, budget);
  auto n = cache.get_wait("b", 1000, loader(b.path, budget), seconds(60));
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(cache.loaded_count(), 1u);
  EXPECT_EQ(cache.used_bytes(), (*n)->memory().total());
}

TEST(ModelCache, ALoadOverTheBudgetIsAClearTooLarge) {
  Dir a;
  testing::write_llama(a.path, {}, {}, "\"max_position_embeddings\": 1048576");
  ModelCache cache(64u << 20);
  auto m = cache.get_wait("a", 1000, loader(a.path, 64u << 20), seconds(60));
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, Errc::too_large);
  EXPECT_NE(m.error().message.find("KV cache"), std::string::npos) << m.error().message;
  EXPECT_EQ(cache.used_bytes(), 0u);
  auto again = cache.get("a", 1000, loader(a.path, 64u << 20));  // remembered, not reloaded
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, Errc::too_large);
}

}  // namespace
}  // namespace hub::inference::runtime
