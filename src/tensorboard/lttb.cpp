#include "tensorboard/lttb.h"

#include <cmath>
#include <limits>

namespace hub::tensorboard {

std::vector<ScalarPoint> lttb(std::span<const ScalarPoint> points, size_t max_points) {
  const size_t n = points.size();
  if (max_points == 0 || max_points >= n) return {points.begin(), points.end()};
  if (max_points == 1) return {points.back()};
  if (max_points == 2) return {points.front(), points.back()};

  std::vector<ScalarPoint> out;
  out.reserve(max_points);
  out.push_back(points.front());

  // Buckets cover points[1 .. n-2]; bucket b spans [start(b), start(b+1)).
  const size_t buckets = max_points - 2;
  const double width = static_cast<double>(n - 2) / static_cast<double>(buckets);
  auto start = [&](size_t b) {
    return b >= buckets ? n - 1 : 1 + static_cast<size_t>(std::floor(width * static_cast<double>(b)));
  };

  size_t kept = 0;  // index of the previously kept point
  for (size_t b = 0; b < buckets; ++b) {
    const size_t lo = start(b), hi = start(b + 1);
    // Mean of the next bucket (the last point when this is the last bucket).
    const size_t next_lo = hi, next_hi = b + 1 < buckets ? start(b + 2) : n;
    double mx = 0, my = 0;
    size_t count = 0;
    for (size_t i = next_lo; i < next_hi; ++i) {
      if (!std::isfinite(points[i].value)) continue;
      mx += static_cast<double>(points[i].step);
      my += points[i].value;
      ++count;
    }
    if (count > 0) {
      mx /= static_cast<double>(count);
      my /= static_cast<double>(count);
    } else {
      mx = static_cast<double>(points[next_hi - 1].step);
      my = 0;
    }

    const double ax = static_cast<double>(points[kept].step);
    const double ay = std::isfinite(points[kept].value) ? points[kept].value : 0.0;
    size_t best = lo;
    double best_area = -1;
    for (size_t i = lo; i < hi; ++i) {
      double area;
      if (!std::isfinite(points[i].value)) {
        area = std::numeric_limits<double>::infinity();
      } else {
        // Twice the triangle's area; the factor does not change the argmax.
        area = std::abs((ax - mx) * (points[i].value - ay) -
                        (ax - static_cast<double>(points[i].step)) * (my - ay));
        if (std::isnan(area)) area = 0;
      }
      if (area > best_area) {
        best_area = area;
        best = i;
      }
    }
    out.push_back(points[best]);
    kept = best;
  }
  out.push_back(points.back());
  return out;
}

}  // namespace hub::tensorboard
