// Private to ops/: the kernels compiled once per CPU level, and the dispatch between them.
// Each kernel source (elementwise, norm, attention, gemm_bf16, gemm_f32, gemm_packed_bf16,
// gemm_packed_int8) is compiled up to
// three times by CMake with HUBD_OPS_ISA set to isa_baseline, isa_avx2 or isa_avx512 and the
// matching -m flags; its public functions then live in ops::<HUBD_OPS_ISA>. dispatch.cpp
// (baseline code) defines the public ops:: functions as forwards to the level cpu.h picked.
// A compile without HUBD_OPS_ISA (the fuzz build globbing the folder, or any plain build)
// is the baseline one, and HUBD_OPS_PRIMARY marks the one compile that also holds each
// file's level-independent parts (names, scalar helpers), so they are defined exactly once.
// Stateless declarations only.
#pragma once

#include <cstdint>

#include "inference/ops/attention.h"
#include "inference/ops/elementwise.h"

#ifndef HUBD_OPS_ISA
#define HUBD_OPS_ISA isa_baseline
#define HUBD_OPS_PRIMARY 1
#endif

namespace hub::inference::ops {

struct PackedPanelsView;

// X(return, name, (params), (args)) for every kernel that exists once per level.
#define HUBD_OPS_KERNELS(X)                                                                        \
  X(void, add_inplace, (float* y, const float* x, int64_t n), (y, x, n))                           \
  X(void, mul, (const float* a, const float* b, float* y, int64_t n), (a, b, y, n))                \
  X(void, bias_act, (float* x, int64_t rows, int64_t cols, const float* bias, Activation act),     \
    (x, rows, cols, bias, act))                                                                    \
  X(void, activation_inplace, (float* x, int64_t n, Activation act), (x, n, act))                  \
  X(void, embedding_gather,                                                                        \
    (const float* table, int64_t dim, const int32_t* ids, int64_t n_ids, float* out),              \
    (table, dim, ids, n_ids, out))                                                                 \
  X(void, softmax_row, (float* x, int64_t n), (x, n))                                              \
  X(void, softmax, (float* x, int64_t rows, int64_t cols), (x, rows, cols))                        \
  X(void, layer_norm,                                                                              \
    (float* x, const float* residual, int64_t rows, int64_t cols, const float* gamma,              \
     const float* beta, float eps),                                                                \
    (x, residual, rows, cols, gamma, beta, eps))                                                   \
  X(void, rms_norm, (float* x, int64_t rows, int64_t cols, const float* gamma, float eps),         \
    (x, rows, cols, gamma, eps))                                                                   \
  X(void, attention,                                                                               \
    (const AttentionShape& s, const float* q, const float* k, const float* v,                      \
     const float* mask_add, const float* head_bias, float scale, float* out, float* scratch),      \
    (s, q, k, v, mask_add, head_bias, scale, out, scratch))                                        \
  X(void, linear_bf16,                                                                             \
    (const float* x, int64_t m, int64_t k, const uint16_t* w, int64_t n, const float* bias,        \
     float* y, Activation act),                                                                    \
    (x, m, k, w, n, bias, y, act))                                                                 \
  X(void, upconvert_bf16, (const uint16_t* src, float* dst, int64_t n), (src, dst, n))             \
  X(void, embedding_gather_bf16,                                                                   \
    (const uint16_t* table, int64_t dim, const int32_t* ids, int64_t n_ids, float* out),           \
    (table, dim, ids, n_ids, out))                                                                 \
  X(void, gemm_packed_f32,                                                                         \
    (const float* x, int64_t m, int64_t k, const PackedPanelsView& w, const float* bias, float* y,  \
     Activation act),                                                                              \
    (x, m, k, w, bias, y, act))                                                                    \
  X(void, gemm_packed_bf16,                                                                        \
    (const float* x, int64_t m, int64_t k, const PackedPanelsView& w, const float* bias, float* y,  \
     Activation act),                                                                              \
    (x, m, k, w, bias, y, act))                                                                    \
  X(void, gemm_packed_int8,                                                                        \
    (const float* x, int64_t m, int64_t k, const PackedPanelsView& w, const float* bias, float* y,  \
     Activation act),                                                                              \
    (x, m, k, w, bias, y, act))                                                                    \
  X(int, packed_f32_panel_width, (), ())

// Per level only (no dispatching forward): bias + activation over a block of rows with row
// stride ld, in the calling thread (gemm_f32 applies it to each tile while it is in cache).
#define HUBD_OPS_PER_LEVEL                                                                   \
  void bias_act_block(float* x, int64_t rows, int64_t cols, int64_t ld, const float* bias, \
                      Activation act);

#define HUBD_OPS_DECLARE(ret, name, params, args) ret name params;
HUBD_OPS_KERNELS(HUBD_OPS_DECLARE)  // the dispatching forwards (dispatch.cpp)
namespace isa_baseline { HUBD_OPS_KERNELS(HUBD_OPS_DECLARE) HUBD_OPS_PER_LEVEL }
namespace isa_avx2 { HUBD_OPS_KERNELS(HUBD_OPS_DECLARE) HUBD_OPS_PER_LEVEL }
namespace isa_avx512 { HUBD_OPS_KERNELS(HUBD_OPS_DECLARE) HUBD_OPS_PER_LEVEL }
#undef HUBD_OPS_DECLARE

// The packed weights as a kernel sees them: panels of `nr` output features (the last one
// zero-padded), each [k][nr] contiguous (f32: data), or [k/2][nr][2] (bf16: data16, k padded
// to even), or [k/4][nr][4] (int8: data8, with per-column col_scale and col_comp = 128·Σw),
// for an [n, k] nn.Linear weight.
struct PackedPanelsView {
  const float* data = nullptr;
  const uint16_t* data16 = nullptr;
  const int8_t* data8 = nullptr;
  const float* col_scale = nullptr;
  const int32_t* col_comp = nullptr;
  int64_t n = 0, k = 0;
  int nr = 0;
};

}  // namespace hub::inference::ops
