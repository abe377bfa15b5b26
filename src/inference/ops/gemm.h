// GEMM entry points on row-major f32 matrices, through OpenBLAS (cblas_sgemm, which uses its
// own threads). Stateless; thread-safe.
#pragma once

#include <cstdint>

#include "inference/ops/elementwise.h"

namespace hub::inference::ops {

// C[M,N] = alpha * op(A) * op(B) + beta * C, row-major; op(X) = X or Xᵀ.
// lda/ldb/ldc are row strides in elements.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
          const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
          int64_t ldc);

// y[M,N] = act(x[M,K] · w[N,K]ᵀ + bias[N]) (bias may be null): a PyTorch nn.Linear with its
// weight layout, with the activation fused into the bias pass. y must not alias x.
void linear(const float* x, int64_t m, int64_t k, const float* w, int64_t n, const float* bias,
            float* y, Activation act = Activation::none);

}  // namespace hub::inference::ops
