// Plain scalar reference kernels (double accumulation, libm functions) used by tests to check
// the fast ops in this folder. Not for production paths. Stateless; thread-safe.
#pragma once

#include <cstdint>

#include "inference/ops/attention.h"
#include "inference/ops/elementwise.h"

namespace hub::inference::ops::reference {

// y[M,N] = x[M,K] · w[N,K]ᵀ + bias.
void linear(const float* x, int64_t m, int64_t k, const float* w, int64_t n, const float* bias,
            float* y);
void bias_act(float* x, int64_t rows, int64_t cols, const float* bias, Activation act);
void softmax(float* x, int64_t rows, int64_t cols);
void layer_norm(float* x, const float* residual, int64_t rows, int64_t cols, const float* gamma,
                const float* beta, float eps);
void rms_norm(float* x, int64_t rows, int64_t cols, const float* gamma, float eps);
void attention(const AttentionShape& s, const float* q, const float* k, const float* v,
               const float* mask_add, const float* head_bias, float scale, float* out);

}  // namespace hub::inference::ops::reference
