// Internal to models/: the attention pieces the encoder-decoders share (t5.cpp, bart.cpp):
// one query row of one head against cached key/value rows, with an optional additive bias
// and an exact softmax. Stateless; thread-safe.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace hub::inference::models {

// Softmax with std::exp and a double sum (short rows; precision sets parity with float64).
inline void softmax_exact(float* x, int64_t n) {
  float mx = x[0];
  for (int64_t i = 1; i < n; ++i) mx = std::max(mx, x[i]);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += (x[i] = std::exp(x[i] - mx));
  const float inv = float(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

// One head of one query row against `len` key/value rows (row stride `kvd`): scores
// q·k * scale (+ bias[t] when given), softmax, weighted sum of values into out[hd].
inline void attend_row(const float* q, const float* k, const float* v, float* out, int64_t len, int64_t kvd,
                       int64_t hd, float scale, const float* bias, float* sc) {
  for (int64_t t = 0; t < len; ++t) {
    double dot = 0;
    for (int64_t d = 0; d < hd; ++d) dot += double(q[d]) * k[t * kvd + d];
    sc[t] = float(dot) * scale + (bias ? bias[t] : 0.0f);
  }
  softmax_exact(sc, len);
  std::fill(out, out + hd, 0.0f);
  for (int64_t t = 0; t < len; ++t)
    for (int64_t d = 0; d < hd; ++d) out[d] += sc[t] * v[t * kvd + d];
}

}  // namespace hub::inference::models
