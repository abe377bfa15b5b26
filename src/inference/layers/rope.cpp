#include "inference/layers/rope.h"

#include <cmath>
#include <numbers>

#include "core/result.h"

namespace hub::inference::layers {

std::vector<double> rope_inv_freq(const RopeConfig& cfg) {
  const int64_t half = cfg.rotary_dim / 2;
  std::vector<double> inv(half);
  for (int64_t j = 0; j < half; ++j)
    inv[j] = 1.0 / std::pow(cfg.theta, double(2 * j) / double(cfg.rotary_dim));
  if (cfg.scaling == RopeConfig::Scaling::linear) {
    for (double& f : inv) f /= cfg.factor;
  } else if (cfg.scaling == RopeConfig::Scaling::llama3) {
    // Long wavelengths are slowed by `factor`, short ones kept, the band between blended.
    const double old_len = double(cfg.original_max_positions);
    const double low_wavelen = old_len / cfg.low_freq_factor;
    const double high_wavelen = old_len / cfg.high_freq_factor;
    for (double& f : inv) {
      const double wavelen = 2 * std::numbers::pi / f;
      if (wavelen > low_wavelen) {
        f = f / cfg.factor;
      } else if (wavelen >= high_wavelen) {
        const double smooth = (old_len / wavelen - cfg.low_freq_factor) /
                              (cfg.high_freq_factor - cfg.low_freq_factor);
        f = (1 - smooth) * f / cfg.factor + smooth * f;
      }
    }
  }
  // dynamic: HF rescales theta only once the sequence outgrows max_position_embeddings;
  // contexts are capped there, so the plain frequencies are exact.
  return inv;
}

Rope::Rope(const RopeConfig& cfg, int64_t max_positions) : cfg_(cfg), max_pos_(max_positions) {
  const auto inv = rope_inv_freq(cfg);
  const int64_t half = cfg.rotary_dim / 2;
  cos_.resize(size_t(max_positions * half));
  sin_.resize(size_t(max_positions * half));
  for (int64_t p = 0; p < max_positions; ++p)
    for (int64_t j = 0; j < half; ++j) {
      const double a = double(p) * inv[j];
      cos_[p * half + j] = float(std::cos(a));
      sin_[p * half + j] = float(std::sin(a));
    }
}

void Rope::apply(float* x, int64_t n, int64_t stride, int64_t n_heads, int64_t pos0) const {
  HUB_ASSERT(pos0 >= 0 && pos0 + n <= max_pos_);
  const int64_t half = cfg_.rotary_dim / 2;
  for (int64_t i = 0; i < n; ++i) {
    const float* c = &cos_[(pos0 + i) * half];
    const float* s = &sin_[(pos0 + i) * half];
    for (int64_t h = 0; h < n_heads; ++h) {
      float* v = x + i * stride + h * cfg_.head_dim;
      for (int64_t j = 0; j < half; ++j) {
        const float a = v[j], b = v[j + half];
        v[j] = a * c[j] - b * s[j];
        v[j + half] = b * c[j] + a * s[j];
      }
    }
  }
}

}  // namespace hub::inference::layers
