// GEMM with bfloat16 weights: y[m, n] = act(x[m, k] · W[n, k]ᵀ + bias[n]), x and y f32, W the
// raw bf16 bits of a PyTorch nn.Linear weight ([out, in], row-major). Weights upconvert
// exactly (bf16 is the top half of an f32) and every product and sum is f32 — x is never
// rounded to bf16 — so results equal an f32 GEMM over the upconverted weights up to
// summation order (what PyTorch computes for `linear(x, w.float())`).
// Two paths: m <= kBf16SmallM (decode steps, small batches) streams each weight row from
// memory once for all m rows (register-blocked, parallel over n) — decode is bandwidth-bound,
// so this reads half the bytes of the f32 path; larger m (prefill) converts blocks of weight
// rows into per-thread f32 scratch and runs OpenBLAS sgemm on them, staying compute-bound.
// AVX-512 when compiled with it, else a scalar fallback. Stateless; thread-safe.
#pragma once

#include <cstdint>

#include "inference/ops/elementwise.h"

namespace hub::inference::ops {

constexpr int64_t kBf16SmallM = 16;

// y must not alias x; bias may be null.
void linear_bf16(const float* x, int64_t m, int64_t k, const uint16_t* w, int64_t n,
                 const float* bias, float* y, Activation act = Activation::none);

// out[r] = f32(table[ids[r]]) for n_ids rows of `dim` values (ids already range-checked).
void embedding_gather_bf16(const uint16_t* table, int64_t dim, const int32_t* ids, int64_t n_ids,
                           float* out);

// dst[i] = f32(src[i]), exact.
void upconvert_bf16(const uint16_t* src, float* dst, int64_t n);

}  // namespace hub::inference::ops
