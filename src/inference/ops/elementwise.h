// Elementwise kernels on contiguous f32 rows, vectorised (AVX-512 where built with it, plain
// loops otherwise) and threaded via parallel_for. In-place where the name says so.
// Stateless; thread-safe for disjoint outputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace hub::inference::ops {

enum class Activation { none, gelu_erf, gelu_tanh, relu, silu, tanh, sigmoid };

// Maps a config.json activation name ("gelu", "gelu_new", "relu", "silu", ...) to ours.
std::optional<Activation> activation_from_name(std::string_view name);

// Scalar activation (the same formula as the vector path), for tails and references.
float activate(Activation act, float x);

// y[i] = x[i] + y[i] over n values.
void add_inplace(float* y, const float* x, int64_t n);
// y[i] = a[i] * b[i].
void mul(const float* a, const float* b, float* y, int64_t n);
// x[r, :] = act(x[r, :] + bias) for rows r < rows (bias may be null).
void bias_act(float* x, int64_t rows, int64_t cols, const float* bias, Activation act);
// x[i] = act(x[i]).
void activation_inplace(float* x, int64_t n, Activation act);

// out[r, :] = table[ids[r], :] for r < n_ids; ids must be in [0, n_rows) (checked by callers).
void embedding_gather(const float* table, int64_t dim, const int32_t* ids, int64_t n_ids,
                      float* out);

}  // namespace hub::inference::ops
