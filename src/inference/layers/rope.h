// Rotary position embeddings as Hugging Face's Llama family applies them (rotate_half layout:
// dimension j pairs with j + head_dim/2), with the rope_scaling kinds in use: linear, llama3,
// and dynamic (identical to none inside max_position_embeddings, where contexts are capped).
// A Rope is an immutable table of cos/sin per position, computed in double once at load, so
// decode steps only read it. Thread-safe after construction.
#pragma once

#include <cstdint>
#include <vector>

namespace hub::inference::layers {

struct RopeConfig {
  enum class Scaling { none, linear, dynamic, llama3 };
  int64_t head_dim = 0;
  int64_t rotary_dim = 0;        // leading dims rotated (head_dim unless partial rotary)
  double theta = 10000.0;
  Scaling scaling = Scaling::none;
  double factor = 1.0;           // linear / llama3 / dynamic
  double low_freq_factor = 1.0;  // llama3
  double high_freq_factor = 4.0; // llama3
  int64_t original_max_positions = 8192;  // llama3
};

class Rope {
 public:
  Rope() = default;
  Rope(const RopeConfig& cfg, int64_t max_positions);

  int64_t max_positions() const { return max_pos_; }
  // Rotates n rows of x (row stride `stride` floats, each holding n_heads heads of head_dim)
  // in place; row i is at position pos0 + i (< max_positions, asserted).
  void apply(float* x, int64_t n, int64_t stride, int64_t n_heads, int64_t pos0) const;

 private:
  RopeConfig cfg_;
  int64_t max_pos_ = 0;
  std::vector<float> cos_, sin_;  // [max_pos, rotary_dim / 2]
};

// The inverse frequencies HF computes for `cfg` (exposed for tests).
std::vector<double> rope_inv_freq(const RopeConfig& cfg);

}  // namespace hub::inference::layers
