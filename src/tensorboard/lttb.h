// Largest-Triangle-Three-Buckets downsampling (Steinarsson, "Downsampling Time Series for
// Visual Representation", 2013) of a scalar series for charts: x = step, y = value.
// Pure function; thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "tensorboard/scalars.h"

namespace hub::tensorboard {

// At most max_points points chosen from `points`, in their original order. Exact copy when
// max_points == 0 (no limit) or max_points >= points.size(). Otherwise keeps the first and
// last point and, from each of max_points - 2 equal buckets between them, the point forming
// the largest triangle with the point kept before it and the next bucket's mean. max_points 1
// keeps only the last point, 2 the first and last. A non-finite value (NaN, inf: a diverged
// run) wins its bucket so it stays visible; it is left out of the bucket means.
std::vector<ScalarPoint> lttb(std::span<const ScalarPoint> points, size_t max_points);

}  // namespace hub::tensorboard
