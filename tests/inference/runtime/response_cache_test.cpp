// ResponseCache: hits, LRU eviction under the byte budget, oversized entries, replacement,
// and concurrent use.
#include "inference/runtime/response_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace hub::inference::runtime {
namespace {

TEST(ResponseCache, HitsAndMisses) {
  ResponseCache c(1000);
  EXPECT_FALSE(c.get("a"));
  c.put("a", "[1]");
  ASSERT_TRUE(c.get("a"));
  EXPECT_EQ(*c.get("a"), "[1]");
  EXPECT_EQ(c.hits(), 2u);
  EXPECT_EQ(c.used_bytes(), 4u);
}

TEST(ResponseCache, EvictsTheLeastRecentlyUsedWithinTheBudget) {
  ResponseCache c(100);
  c.put("k1", std::string(20, 'a'));  // 22 bytes each
  c.put("k2", std::string(20, 'b'));
  c.put("k3", std::string(20, 'c'));
  c.put("k4", std::string(20, 'd'));
  ASSERT_TRUE(c.get("k1"));            // k1 becomes the most recent: k2 is the oldest now
  c.put("k5", std::string(20, 'e'));  // 110 > 100: one must go
  EXPECT_FALSE(c.get("k2"));
  EXPECT_TRUE(c.get("k1") && c.get("k3") && c.get("k4") && c.get("k5"));
  EXPECT_LE(c.used_bytes(), 100u);
}

TEST(ResponseCache, OversizedEntriesAreNotKeptAndReplacementsAreCountedOnce) {
  ResponseCache c(100);
  c.put("big", std::string(30, 'x'));  // over a quarter of the budget
  EXPECT_FALSE(c.get("big"));
  c.put("k", "one");
  c.put("k", "three");
  EXPECT_EQ(*c.get("k"), "three");
  EXPECT_EQ(c.used_bytes(), 6u);
}

TEST(ResponseCache, ConcurrentUseStaysWithinTheBudget) {
  ResponseCache c(4096);
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&c, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string k = std::to_string((i * 7 + t) % 300);
        if (auto v = c.get(k)) ASSERT_EQ(*v, "v" + k);
        else c.put(k, "v" + k);
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_LE(c.used_bytes(), 4096u);
  EXPECT_GT(c.hits(), 0u);
}

}  // namespace
}  // namespace hub::inference::runtime
