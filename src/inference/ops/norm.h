// Row-wise reductions on contiguous f32 rows: softmax, layer norm (optionally fused with a
// residual add), RMS norm. Vectorised and threaded over rows. Stateless; thread-safe.
#pragma once

#include <cstdint>

namespace hub::inference::ops {

// Softmax of one row in place (max-shifted). Not threaded (used inside threaded kernels).
void softmax_row(float* x, int64_t n);
// Softmax of each row of x[rows, cols] in place.
void softmax(float* x, int64_t rows, int64_t cols);

// x[r] = LayerNorm(x[r] (+ residual[r] when not null)) * gamma + beta (beta may be null),
// biased variance, as torch.nn.functional.layer_norm.
void layer_norm(float* x, const float* residual, int64_t rows, int64_t cols, const float* gamma,
                const float* beta, float eps);

// x[r] = x[r] / sqrt(mean(x[r]^2) + eps) * gamma (gamma may be null).
void rms_norm(float* x, int64_t rows, int64_t cols, const float* gamma, float eps);

}  // namespace hub::inference::ops
