// KVCache: the keys and values of one sequence for every decoder layer, preallocated for
// `capacity` positions at construction so decode steps never allocate. Layout per layer:
// [capacity, kv_dim] rows (position-major), so appending a step writes one contiguous row.
// Owned by one generation at a time; not synchronised.
#pragma once

#include <cstdint>
#include <vector>

#include "inference/tensor/tensor.h"

namespace hub::inference::layers {

class KVCache {
 public:
  KVCache() = default;
  KVCache(int64_t n_layers, int64_t capacity, int64_t kv_dim);

  int64_t capacity() const { return capacity_; }
  int64_t kv_dim() const { return kv_dim_; }
  // Positions filled so far (the next token's position).
  int64_t length() const { return length_; }
  // Marks n more positions as filled (after every layer wrote them).
  void advance(int64_t n) { length_ += n; }
  // Drops positions >= n (n <= length): reuse a prefix, or start over with 0.
  void truncate(int64_t n) { length_ = n < length_ ? n : length_; }

  float* keys(int64_t layer) { return k_.data() + layer * capacity_ * kv_dim_; }
  float* values(int64_t layer) { return v_.data() + layer * capacity_ * kv_dim_; }
  const float* keys(int64_t layer) const { return k_.data() + layer * capacity_ * kv_dim_; }
  const float* values(int64_t layer) const { return v_.data() + layer * capacity_ * kv_dim_; }
  size_t bytes() const { return (k_.size() + v_.size()) * sizeof(float); }

 private:
  int64_t n_layers_ = 0, capacity_ = 0, kv_dim_ = 0, length_ = 0;
  std::vector<float> k_, v_;
};

}  // namespace hub::inference::layers
