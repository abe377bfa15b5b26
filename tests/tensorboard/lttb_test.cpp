#include "tensorboard/lttb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace hub::tensorboard {
namespace {

std::vector<ScalarPoint> series(size_t n, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::vector<ScalarPoint> pts;
  for (size_t i = 0; i < n; ++i)
    pts.push_back({static_cast<int64_t>(i), 1000.0 + static_cast<double>(i),
                   std::sin(static_cast<double>(i) / 10) + (rng() % 100) / 1000.0});
  return pts;
}

TEST(Lttb, ExactWhenLimitIsLargeOrZero) {
  const auto pts = series(100);
  EXPECT_EQ(lttb(pts, 100), pts);
  EXPECT_EQ(lttb(pts, 1000), pts);
  EXPECT_EQ(lttb(pts, 0), pts);
  EXPECT_TRUE(lttb({}, 5).empty());
}

TEST(Lttb, KeepsFirstAndLastAndOrderWithinTheLimit) {
  const auto pts = series(1000);
  for (size_t max : {3u, 4u, 10u, 99u, 500u, 999u}) {
    const auto out = lttb(pts, max);
    ASSERT_EQ(out.size(), max);
    EXPECT_EQ(out.front(), pts.front());
    EXPECT_EQ(out.back(), pts.back());
    for (size_t i = 1; i < out.size(); ++i) EXPECT_LT(out[i - 1].step, out[i].step);
    for (const auto& p : out) EXPECT_EQ(p, pts[static_cast<size_t>(p.step)]);  // chosen, not made up
  }
  EXPECT_EQ(lttb(pts, 1), (std::vector<ScalarPoint>{pts.back()}));
  EXPECT_EQ(lttb(pts, 2), (std::vector<ScalarPoint>{pts.front(), pts.back()}));
}

TEST(Lttb, KeepsSpikesAFlatLineWouldHide) {
  std::vector<ScalarPoint> pts;
  for (int i = 0; i < 1000; ++i) pts.push_back({i, 0, 1.0});
  pts[437].value = 50.0;
  pts[800].value = -20.0;
  const auto out = lttb(pts, 20);
  bool spike = false, dip = false;
  for (const auto& p : out) {
    spike |= p.step == 437;
    dip |= p.step == 800;
  }
  EXPECT_TRUE(spike);
  EXPECT_TRUE(dip);
}

TEST(Lttb, NonFiniteValuesStayVisible) {
  auto pts = series(1000);
  pts[300].value = std::numeric_limits<double>::quiet_NaN();
  pts[600].value = std::numeric_limits<double>::infinity();
  const auto out = lttb(pts, 50);
  ASSERT_EQ(out.size(), 50u);
  bool nan = false, inf = false;
  for (const auto& p : out) {
    nan |= std::isnan(p.value);
    inf |= std::isinf(p.value);
  }
  EXPECT_TRUE(nan);
  EXPECT_TRUE(inf);
}

TEST(Lttb, DuplicateAndBackwardStepsAreHandled) {
  std::vector<ScalarPoint> pts;
  for (int i = 0; i < 300; ++i) pts.push_back({i % 100, 0, static_cast<double>(i % 7)});
  const auto out = lttb(pts, 30);
  EXPECT_EQ(out.size(), 30u);
  EXPECT_EQ(out.front(), pts.front());
  EXPECT_EQ(out.back(), pts.back());
}

}  // namespace
}  // namespace hub::tensorboard
