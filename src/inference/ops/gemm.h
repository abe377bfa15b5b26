// GEMM entry points on row-major f32 matrices. `PackedWeights` + `linear_packed`: the engine's
// own kernels (gemm_f32.cpp, one copy per CPU level, see cpu.h) over an nn.Linear weight
// packed once at load into the layout the chosen level's micro-kernel reads; what the
// encoders use. `gemm` / `linear`: OpenBLAS (cblas_sgemm, single-threaded, split over our
// pool), the fallback for unpacked operands (attention-free decoders' prefill, bf16 panels).
// Stateless functions; a PackedWeights is immutable after pack() and shared by copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/result.h"

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

// How packed weights are stored and multiplied. bf16: weights and activations rounded to
// bf16, products summed in f32 (AVX512-BF16). int8: weights quantised per output feature,
// activations per row at each call, products summed exactly in int32 (AVX512-VNNI).
enum class WeightFormat { f32, bf16, int8 };

// Whether WeightFormat::bf16 / int8 has its kernel here: the avx512 level on a CPU with
// AVX512-BF16 / AVX512-VNNI.
bool packed_bf16_supported();
bool packed_int8_supported();

// The format encoders pack their projections in: HUBD_ENCODER_PRECISION=f32|bf16|int8 (unset
// or empty: f32). check_encoder_precision() parses the
// variable (hubd calls it at start and refuses a bad value); encoder_precision() is the process
// setting (the variable at first use, f32 if invalid, unless set_encoder_precision changed it:
// tests compare precisions in one process). Thread-safe (an atomic).
Result<WeightFormat> parse_weight_format(std::string_view name);
Result<WeightFormat> check_encoder_precision();
WeightFormat encoder_precision();
void set_encoder_precision(WeightFormat format);
std::string_view weight_format_name(WeightFormat format);

// An [n, k] row-major weight (PyTorch nn.Linear layout) packed for this process's CPU level:
// panels of panel_width() output features, each [k][width] contiguous (bf16: [k/2][width][2],
// k padded to even) and 64-byte aligned, the last one zero-padded. Copies share the buffer.
class PackedWeights {
 public:
  PackedWeights() = default;
  // bf16/int8 where the kernel is missing (packed_*_supported) pack f32 instead (format() says
  // which).
  static PackedWeights pack(const float* w, int64_t n, int64_t k, WeightFormat format = WeightFormat::f32);
  bool empty() const { return !data_; }
  WeightFormat format() const { return format_; }
  int64_t n() const { return n_; }
  int64_t k() const { return k_; }
  int panel_width() const { return nr_; }
  const float* data() const { return static_cast<const float*>(data_.get()); }
  const uint16_t* data16() const { return static_cast<const uint16_t*>(data_.get()); }
  const int8_t* data8() const { return static_cast<const int8_t*>(data_.get()); }
  // int8: per padded column, the weight scale and 128·Σw (after the panels in the buffer).
  const float* col_scale() const;
  const int32_t* col_comp() const;
  size_t bytes() const;

 private:
  std::shared_ptr<void> data_;
  int64_t n_ = 0, k_ = 0;
  int nr_ = 0;
  WeightFormat format_ = WeightFormat::f32;
};

// y[m, n] = act(x[m, k] · Wᵀ + bias[n]) with W packed (k = w.k()), in W's format; y must not
// alias x.
void linear_packed(const float* x, int64_t m, const PackedWeights& w, const float* bias, float* y,
                   Activation act = Activation::none);

}  // namespace hub::inference::ops
