// KVCache: the keys and values of one sequence for every decoder layer, for at most
// `capacity` positions. Storage grows with the sequence (reserve() before writing; doubling,
// so a decode step allocates only at powers of two) instead of being sized for the whole
// capacity up front: a request allowed a long context costs memory only for the tokens it
// actually reaches. Layout per layer: [allocated, kv_dim] rows (position-major), so appending
// a step writes one contiguous row and growing keeps rows in place.
// Owned by one generation at a time; not synchronised.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hub::inference::layers {

class KVCache {
 public:
  KVCache() = default;
  // Allocates nothing yet; `capacity` is the most positions reserve() will grant.
  KVCache(int64_t n_layers, int64_t capacity, int64_t kv_dim);

  int64_t capacity() const { return capacity_; }
  int64_t kv_dim() const { return kv_dim_; }
  // Positions filled so far (the next token's position).
  int64_t length() const { return length_; }
  // Positions storage exists for (<= capacity).
  int64_t allocated() const { return allocated_; }
  // Makes room for positions [0, n) (n <= capacity, asserted), keeping the rows written.
  // Pointers from keys()/values() are invalid after a reserve that grows.
  void reserve(int64_t n);
  // Marks n more positions as filled (after every layer wrote them).
  void advance(int64_t n) { length_ += n; }
  // Drops positions >= n (n <= length): reuse a prefix, or start over with 0.
  void truncate(int64_t n) { length_ = n < length_ ? n : length_; }

  float* keys(int64_t layer) { return k_[size_t(layer)].data(); }
  float* values(int64_t layer) { return v_[size_t(layer)].data(); }
  const float* keys(int64_t layer) const { return k_[size_t(layer)].data(); }
  const float* values(int64_t layer) const { return v_[size_t(layer)].data(); }
  // Bytes allocated now.
  size_t bytes() const { return size_t(2 * n_layers_ * allocated_ * kv_dim_) * sizeof(float); }

 private:
  int64_t n_layers_ = 0, capacity_ = 0, kv_dim_ = 0, length_ = 0, allocated_ = 0;
  std::vector<std::vector<float>> k_, v_;  // per layer
};

}  // namespace hub::inference::layers
