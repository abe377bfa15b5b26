#include "inference/layers/kv_cache.h"

namespace hub::inference::layers {

KVCache::KVCache(int64_t n_layers, int64_t capacity, int64_t kv_dim)
    : n_layers_(n_layers), capacity_(capacity), kv_dim_(kv_dim),
      k_(size_t(n_layers * capacity * kv_dim)), v_(size_t(n_layers * capacity * kv_dim)) {}

}  // namespace hub::inference::layers
