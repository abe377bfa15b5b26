#include "inference/ops/elementwise.h"

#include "inference/ops/kernels.h"

#include <cmath>
#include <cstring>

#include "inference/ops/parallel.h"
#include "inference/ops/simd.h"

namespace hub::inference::ops {

#ifdef HUBD_OPS_PRIMARY
std::optional<Activation> activation_from_name(std::string_view name) {
  if (name == "gelu" || name == "gelu_python") return Activation::gelu_erf;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast")
    return Activation::gelu_tanh;
  if (name == "relu") return Activation::relu;
  if (name == "silu" || name == "swish") return Activation::silu;
  if (name == "tanh") return Activation::tanh;
  if (name == "sigmoid") return Activation::sigmoid;
  if (name == "linear" || name == "identity") return Activation::none;
  return std::nullopt;
}

float activate(Activation act, float x) {
  switch (act) {
    case Activation::none: return x;
    case Activation::gelu_erf: return 0.5f * x * (1.f + std::erf(x * 0.70710678118654752f));
    case Activation::gelu_tanh: {
      float inner = 0.7978845608028654f * (x + 0.044715f * x * x * x);
      return 0.5f * x * (1.f + std::tanh(inner));
    }
    case Activation::relu: return x > 0.f ? x : 0.f;
    case Activation::silu: return x / (1.f + std::exp(-x));
    case Activation::tanh: return std::tanh(x);
    case Activation::sigmoid: return 1.f / (1.f + std::exp(-x));
  }
  return x;
}
#endif

namespace HUBD_OPS_ISA {

namespace {

#if defined(__AVX512F__)
inline __m512 activate_v(Activation act, __m512 x) {
  switch (act) {
    case Activation::none: return x;
    case Activation::gelu_erf: {
      __m512 e = simd::erf(_mm512_mul_ps(x, _mm512_set1_ps(0.70710678118654752f)));
      return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x),
                           _mm512_add_ps(_mm512_set1_ps(1.f), e));
    }
    case Activation::gelu_tanh: {
      __m512 x3 = _mm512_mul_ps(_mm512_mul_ps(x, x), x);
      __m512 inner = _mm512_mul_ps(_mm512_set1_ps(0.7978845608028654f),
                                   _mm512_fmadd_ps(_mm512_set1_ps(0.044715f), x3, x));
      return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), x),
                           _mm512_add_ps(_mm512_set1_ps(1.f), simd::tanh(inner)));
    }
    case Activation::relu: return _mm512_max_ps(x, _mm512_setzero_ps());
    case Activation::silu:
      return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.f),
                                            simd::exp(_mm512_sub_ps(_mm512_setzero_ps(), x))));
    case Activation::tanh: return simd::tanh(x);
    case Activation::sigmoid:
      return _mm512_div_ps(_mm512_set1_ps(1.f),
                           _mm512_add_ps(_mm512_set1_ps(1.f),
                                         simd::exp(_mm512_sub_ps(_mm512_setzero_ps(), x))));
  }
  return x;
}
#endif

void bias_act_row(float* x, int64_t n, const float* bias, Activation act) {
#if defined(__AVX512F__)
  for (int64_t i = 0; i < n; i += 16) {
    __mmask16 m = simd::tail_mask(n - i);
    __m512 v = _mm512_maskz_loadu_ps(m, x + i);
    if (bias) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, bias + i));
    _mm512_mask_storeu_ps(x + i, m, activate_v(act, v));
  }
#else
  for (int64_t i = 0; i < n; ++i) x[i] = activate(act, bias ? x[i] + bias[i] : x[i]);
#endif
}

constexpr int64_t kGrainValues = 16384;

}  // namespace

void add_inplace(float* y, const float* x, int64_t n) {
  parallel_for(n, kGrainValues, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) y[i] += x[i];
  });
}

void mul(const float* a, const float* b, float* y, int64_t n) {
  parallel_for(n, kGrainValues, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) y[i] = a[i] * b[i];
  });
}

void bias_act(float* x, int64_t rows, int64_t cols, const float* bias, Activation act) {
  if (!bias && act == Activation::none) return;
  int64_t grain = std::max<int64_t>(1, kGrainValues / std::max<int64_t>(1, cols));
  parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) bias_act_row(x + r * cols, cols, bias, act);
  });
}

void activation_inplace(float* x, int64_t n, Activation act) {
  if (act == Activation::none) return;
  parallel_for(n, kGrainValues, [&](int64_t b, int64_t e) { bias_act_row(x + b, e - b, nullptr, act); });
}

void bias_act_block(float* x, int64_t rows, int64_t cols, int64_t ld, const float* bias, Activation act) {
  if (!bias && act == Activation::none) return;
  for (int64_t r = 0; r < rows; ++r) bias_act_row(x + r * ld, cols, bias, act);
}

void embedding_gather(const float* table, int64_t dim, const int32_t* ids, int64_t n_ids,
                      float* out) {
  for (int64_t r = 0; r < n_ids; ++r)
    std::memcpy(out + r * dim, table + int64_t(ids[r]) * dim, size_t(dim) * sizeof(float));
}

}  // namespace HUBD_OPS_ISA

}  // namespace hub::inference::ops
