#include "inference/layers/kv_cache.h"

#include <algorithm>

#include "core/result.h"

namespace hub::inference::layers {

namespace {
constexpr int64_t kFirstRows = 64;  // a short generation's whole cache in one allocation
}

KVCache::KVCache(int64_t n_layers, int64_t capacity, int64_t kv_dim)
    : n_layers_(n_layers), capacity_(capacity), kv_dim_(kv_dim), k_(size_t(n_layers)), v_(size_t(n_layers)) {}

void KVCache::reserve(int64_t n) {
  HUB_ASSERT(n <= capacity_);
  if (n <= allocated_) return;
  const int64_t rows = std::min(capacity_, std::max({n, 2 * allocated_, kFirstRows}));
  // vector::resize keeps the rows written: position-major rows stay where they were.
  for (auto* side : {&k_, &v_})
    for (auto& layer : *side) {
      layer.reserve(size_t(rows * kv_dim_));
      layer.resize(size_t(rows * kv_dim_));
    }
  allocated_ = rows;
}

}  // namespace hub::inference::layers
