#include "inference/ops/norm.h"

#include "inference/ops/kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "inference/ops/parallel.h"
#include "inference/ops/simd.h"

namespace hub::inference::ops::HUBD_OPS_ISA {

void softmax_row(float* x, int64_t n) {
  if (n <= 0) return;
#if defined(__AVX512F__)
  __m512 vmax = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  for (int64_t i = 0; i < n; i += 16) {
    __mmask16 m = simd::tail_mask(n - i);
    vmax = _mm512_mask_max_ps(vmax, m, vmax, _mm512_maskz_loadu_ps(m, x + i));
  }
  __m512 mx = _mm512_set1_ps(_mm512_reduce_max_ps(vmax));
  __m512 vsum = _mm512_setzero_ps();
  for (int64_t i = 0; i < n; i += 16) {
    __mmask16 m = simd::tail_mask(n - i);
    __m512 e = simd::exp(_mm512_sub_ps(_mm512_maskz_loadu_ps(m, x + i), mx));
    vsum = _mm512_mask_add_ps(vsum, m, vsum, e);
    _mm512_mask_storeu_ps(x + i, m, e);
  }
  __m512 inv = _mm512_set1_ps(1.f / _mm512_reduce_add_ps(vsum));
  for (int64_t i = 0; i < n; i += 16) {
    __mmask16 m = simd::tail_mask(n - i);
    _mm512_mask_storeu_ps(x + i, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + i), inv));
  }
#else
  float mx = *std::max_element(x, x + n);
  float sum = 0.f;
  for (int64_t i = 0; i < n; ++i) sum += (x[i] = std::exp(x[i] - mx));
  float inv = 1.f / sum;
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
#endif
}

void softmax(float* x, int64_t rows, int64_t cols) {
  int64_t grain = std::max<int64_t>(1, 8192 / std::max<int64_t>(1, cols));
  parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) softmax_row(x + r * cols, cols);
  });
}

namespace {

// Sum and sum of squared deviations with 16 lanes of partial sums (two passes: exact enough
// to match torch's Welford to ~1e-7 relative for activations of transformer scale).
void layer_norm_row(float* x, const float* res, int64_t n, const float* gamma, const float* beta,
                    float eps) {
  if (res)
    for (int64_t i = 0; i < n; ++i) x[i] += res[i];
  float lanes[16] = {};
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) lanes[l] += x[i + l];
  float sum = 0.f;
  for (; i < n; ++i) sum += x[i];
  for (float l : lanes) sum += l;
  float mean = sum / float(n);
  float lanes2[16] = {};
  i = 0;
  for (; i + 16 <= n; i += 16)
    for (int l = 0; l < 16; ++l) {
      float d = x[i + l] - mean;
      lanes2[l] += d * d;
    }
  float var = 0.f;
  for (; i < n; ++i) var += (x[i] - mean) * (x[i] - mean);
  for (float l : lanes2) var += l;
  var /= float(n);
  float rstd = 1.f / std::sqrt(var + eps);
  if (beta) {
    for (int64_t j = 0; j < n; ++j) x[j] = (x[j] - mean) * rstd * gamma[j] + beta[j];
  } else {
    for (int64_t j = 0; j < n; ++j) x[j] = (x[j] - mean) * rstd * gamma[j];
  }
}

}  // namespace

void layer_norm(float* x, const float* residual, int64_t rows, int64_t cols, const float* gamma,
                const float* beta, float eps) {
  int64_t grain = std::max<int64_t>(1, 8192 / std::max<int64_t>(1, cols));
  parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r)
      layer_norm_row(x + r * cols, residual ? residual + r * cols : nullptr, cols, gamma, beta, eps);
  });
}

void rms_norm(float* x, int64_t rows, int64_t cols, const float* gamma, float eps) {
  int64_t grain = std::max<int64_t>(1, 8192 / std::max<int64_t>(1, cols));
  parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      float* row = x + r * cols;
      float lanes[16] = {};
      int64_t i = 0;
      for (; i + 16 <= cols; i += 16)
        for (int l = 0; l < 16; ++l) lanes[l] += row[i + l] * row[i + l];
      float ss = 0.f;
      for (; i < cols; ++i) ss += row[i] * row[i];
      for (float l : lanes) ss += l;
      float scale = 1.f / std::sqrt(ss / float(cols) + eps);
      if (gamma)
        for (int64_t j = 0; j < cols; ++j) row[j] = row[j] * scale * gamma[j];
      else
        for (int64_t j = 0; j < cols; ++j) row[j] *= scale;
    }
  });
}

}  // namespace hub::inference::ops::HUBD_OPS_ISA
