// Internal to models/: the decoder-step pieces the encoder-decoders share (t5.cpp, bart.cpp):
// the argument check of decode_step, one query row of one head against cached key/value rows
// (optional additive bias, exact softmax), and the self- and cross-attention of a step over
// several hypotheses. Stateless; thread-safe as long as each thread uses its own states.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "inference/models/seq2seq.h"
#include "inference/ops/parallel.h"

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

// decode_step's arguments: one token (< vocab) per state, each with a source and room for one
// more row; then one more row is reserved in each state's cache.
inline Result<void> begin_decode_step(std::span<const int32_t> tokens, std::span<Seq2SeqState* const> states,
                                      int64_t vocab) {
  if (tokens.empty() || states.size() != tokens.size())
    return fail(Errc::invalid_argument, "decode_step needs one token per state");
  for (size_t i = 0; i < tokens.size(); ++i) {
    const int32_t t = tokens[i];
    if (t < 0 || t >= vocab) return fail(Errc::invalid_argument, "token id " + std::to_string(t) + " out of range");
    if (!states[i]->source) return fail(Errc::invalid_argument, "a decoder state has no source");
    if (states[i]->cache.length() + 1 > states[i]->cache.capacity())
      return fail(Errc::invalid_argument, "the output reached this model's longest sequence");
  }
  for (auto* st : states) st->cache.reserve(st->cache.length() + 1);
  return {};
}

// Self-attention of one decoder step in layer li: each state's new key/value row (k, v:
// [B, H*hd]) is appended to its cache, then each head of its query row attends over the cache
// (its old rows and the new one). bias(i, h, len), when given, is state i's additive bias row
// for head h (len floats). Writes att [B, H*hd].
template <class Bias>
void self_attention_step(std::span<Seq2SeqState* const> states, int64_t li, const float* q, const float* k,
                         const float* v, float* att, int64_t H, int64_t hd, float scale, Bias&& bias) {
  const int64_t B = int64_t(states.size()), width = H * hd;
  for (int64_t i = 0; i < B; ++i) {
    auto& cache = states[size_t(i)]->cache;
    const int64_t pos = cache.length();
    std::memcpy(cache.keys(li) + pos * width, k + i * width, size_t(width) * sizeof(float));
    std::memcpy(cache.values(li) + pos * width, v + i * width, size_t(width) * sizeof(float));
  }
  ops::parallel_for(B * H, 1, [&](int64_t b, int64_t e) {
    std::vector<float> sc;
    for (int64_t idx = b; idx < e; ++idx) {
      const int64_t i = idx / H, h = idx % H;
      const auto& cache = states[size_t(i)]->cache;
      const int64_t len = cache.length() + 1;
      sc.resize(size_t(len));
      attend_row(q + i * width + h * hd, cache.keys(li) + h * hd, cache.values(li) + h * hd, att + i * width + h * hd,
                 len, width, hd, scale, bias(i, h, len), sc.data());
    }
  });
}

// Cross-attention of one decoder step in layer li: each head of each state's query row (q:
// [B, H*hd]) attends over its source's projected keys/values, with no bias or mask. Writes att.
inline void cross_attention_step(std::span<Seq2SeqState* const> states, int64_t li, const float* q, float* att,
                                 int64_t H, int64_t hd, float scale) {
  const int64_t B = int64_t(states.size()), width = H * hd;
  ops::parallel_for(B * H, 1, [&](int64_t b, int64_t e) {
    std::vector<float> sc;
    for (int64_t idx = b; idx < e; ++idx) {
      const int64_t i = idx / H, h = idx % H;
      const auto& src = *states[size_t(i)]->source;
      sc.resize(size_t(src.length));
      attend_row(q + i * width + h * hd, src.keys[size_t(li)].data() + h * hd, src.values[size_t(li)].data() + h * hd,
                 att + i * width + h * hd, src.length, width, hd, scale, nullptr, sc.data());
    }
  });
}

}  // namespace hub::inference::models
