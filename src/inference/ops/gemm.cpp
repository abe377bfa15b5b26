#include "inference/ops/gemm.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <string>
#include <cstring>
#include <mutex>
#include <new>

#include "inference/ops/cpu.h"
#include "inference/ops/elementwise.h"
#include "inference/ops/kernels.h"
#include "inference/ops/parallel.h"

namespace hub::inference::ops {

namespace {

// OpenBLAS runs single-threaded and we split each GEMM across our own pool: its worker
// threads otherwise keep spinning after a call and starve our pool's elementwise work on a
// small machine (measured: a BERT-base batch-8 forward spent half its time outside GEMM).
void init_blas() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

constexpr int64_t kMinParallelFlops = int64_t(1) << 20;

}  // namespace

void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, float alpha,
          const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c,
          int64_t ldc) {
  if (m == 0 || n == 0) return;
  init_blas();
  auto call = [&](int64_t n0, int64_t n1) {
    // Columns [n0, n1) of op(B) are rows of B when transposed, else columns.
    const float* bp = trans_b ? b + n0 * ldb : b + n0;
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, blasint(m), blasint(n1 - n0), blasint(k),
                alpha, a, blasint(lda), bp, blasint(ldb), beta, c + n0, blasint(ldc));
  };
  const int nt = num_threads();
  if (nt == 1 || m * n * k < kMinParallelFlops || n < 32) {
    call(0, n);
    return;
  }
  // One contiguous column block per thread, in multiples of 16 columns (vector width).
  const int64_t blocks = nt;
  const int64_t per = ((n + blocks - 1) / blocks + 15) / 16 * 16;
  parallel_for(blocks, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t blk = lo; blk < hi; ++blk) {
      int64_t n0 = blk * per, n1 = std::min(n, n0 + per);
      if (n0 < n1) call(n0, n1);
    }
  });
}

void linear(const float* x, int64_t m, int64_t k, const float* w, int64_t n, const float* bias,
            float* y, Activation act) {
  gemm(false, true, m, n, k, 1.f, x, k, w, k, 0.f, y, n);
  bias_act(y, m, n, bias, act);
}

Result<WeightFormat> parse_weight_format(std::string_view name) {
  if (name.empty() || name == "f32" || name == "float32") return WeightFormat::f32;
  if (name == "bf16" || name == "bfloat16") return WeightFormat::bf16;
  if (name == "int8") return WeightFormat::int8;
  return std::unexpected(Error{Errc::invalid_argument,
                               "HUBD_ENCODER_PRECISION: unknown precision '" + std::string(name) + "' (f32, bf16, int8)"});
}

Result<WeightFormat> check_encoder_precision() {
  const char* e = std::getenv("HUBD_ENCODER_PRECISION");
  return parse_weight_format(e ? e : "");
}

namespace {
std::atomic<int>& precision_setting() {
  static std::atomic<int> v{int(check_encoder_precision().value_or(WeightFormat::f32))};
  return v;
}
}  // namespace

WeightFormat encoder_precision() { return WeightFormat(precision_setting().load()); }
void set_encoder_precision(WeightFormat format) { precision_setting().store(int(format)); }

std::string_view weight_format_name(WeightFormat format) {
  switch (format) {
    case WeightFormat::bf16: return "bf16";
    case WeightFormat::int8: return "int8";
    case WeightFormat::f32: break;
  }
  return "f32";
}

bool packed_int8_supported() {
  static const bool ok = cpu_level() == CpuLevel::avx512 && cpu_has_avx512_vnni();
  return ok;
}

bool packed_bf16_supported() {
  static const bool ok = cpu_level() == CpuLevel::avx512 && cpu_has_avx512_bf16();
  return ok;
}

namespace {

uint16_t round_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return uint16_t((u >> 16) | 0x40);  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest even
  return uint16_t(u >> 16);
}

void* alloc64(size_t bytes) { return ::operator new(std::max<size_t>(bytes, 64), std::align_val_t(64)); }

}  // namespace

PackedWeights PackedWeights::pack(const float* w, int64_t n, int64_t k, WeightFormat format) {
  PackedWeights p;
  p.n_ = n;
  p.k_ = k;
  if (format == WeightFormat::bf16 && !packed_bf16_supported()) format = WeightFormat::f32;
  if (format == WeightFormat::int8 && !packed_int8_supported()) format = WeightFormat::f32;
  p.format_ = format;
  if (format == WeightFormat::int8) {
    // 32-column panels of k quads (gemm_packed_int8.cpp), then column scales and 128·Σw.
    p.nr_ = 32;
    const int64_t nr = p.nr_, panels = (n + nr - 1) / nr, kq = (k + 3) / 4, body = panels * kq * nr * 4;
    auto* buf = static_cast<int8_t*>(alloc64(size_t(body) + size_t(panels * nr) * 8));
    p.data_ = std::shared_ptr<void>(buf, [](void* q) { ::operator delete(q, std::align_val_t(64)); });
    auto* scale = reinterpret_cast<float*>(buf + body);
    auto* comp = reinterpret_cast<int32_t*>(scale + panels * nr);
    std::memset(buf, 0, size_t(body) + size_t(panels * nr) * 8);
    parallel_for(panels, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t pn = lo; pn < hi; ++pn) {
        int8_t* dst = buf + pn * kq * nr * 4;
        const int64_t cols = std::min(nr, n - pn * nr);
        for (int64_t j = 0; j < cols; ++j) {
          const float* src = w + (pn * nr + j) * k;
          float amax = 0.f;
          for (int64_t kk = 0; kk < k; ++kk) amax = std::max(amax, std::abs(src[kk]));
          const float inv = amax > 0.f ? 127.f / amax : 0.f;
          int32_t sum = 0;
          for (int64_t kk = 0; kk < k; ++kk) {
            const int v = std::clamp(int(std::nearbyint(src[kk] * inv)), -127, 127);
            dst[((kk / 4) * nr + j) * 4 + kk % 4] = int8_t(v);
            sum += v;
          }
          scale[pn * nr + j] = amax / 127.f;
          comp[pn * nr + j] = 128 * sum;
        }
      }
    });
    return p;
  }
  if (format == WeightFormat::bf16) {
    // The bf16 kernel's own layout: 32-column panels of k pairs (gemm_packed_bf16.cpp).
    p.nr_ = 32;
    const int64_t nr = p.nr_, panels = (n + nr - 1) / nr, kp2 = (k + 1) / 2;
    auto* buf = static_cast<uint16_t*>(alloc64(size_t(panels * kp2 * nr * 2) * sizeof(uint16_t)));
    p.data_ = std::shared_ptr<void>(buf, [](void* q) { ::operator delete(q, std::align_val_t(64)); });
    parallel_for(panels, 1, [&](int64_t lo, int64_t hi) {
      for (int64_t pn = lo; pn < hi; ++pn) {
        uint16_t* dst = buf + pn * kp2 * nr * 2;
        std::memset(dst, 0, size_t(kp2 * nr * 2) * sizeof(uint16_t));
        const int64_t cols = std::min(nr, n - pn * nr);
        for (int64_t j = 0; j < cols; ++j) {
          const float* src = w + (pn * nr + j) * k;
          for (int64_t kk = 0; kk < k; ++kk) dst[((kk / 2) * nr + j) * 2 + kk % 2] = round_bf16(src[kk]);
        }
      }
    });
    return p;
  }
  p.nr_ = packed_f32_panel_width();
  const int64_t nr = p.nr_, panels = (n + nr - 1) / nr;
  auto* buf = static_cast<float*>(alloc64(size_t(panels * k * nr) * sizeof(float)));
  p.data_ = std::shared_ptr<void>(buf, [](void* q) { ::operator delete(q, std::align_val_t(64)); });
  parallel_for(panels, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t pn = lo; pn < hi; ++pn) {
      float* dst = buf + pn * k * nr;
      const int64_t cols = std::min(nr, n - pn * nr);
      if (cols < nr) std::memset(dst, 0, size_t(k * nr) * sizeof(float));
      for (int64_t j = 0; j < cols; ++j) {
        const float* src = w + (pn * nr + j) * k;
        for (int64_t kk = 0; kk < k; ++kk) dst[kk * nr + j] = src[kk];
      }
    }
  });
  return p;
}

size_t PackedWeights::bytes() const {
  if (empty()) return 0;
  const size_t panels = size_t((n_ + nr_ - 1) / nr_);
  if (format_ == WeightFormat::bf16) return panels * size_t((k_ + 1) / 2 * 2 * nr_) * sizeof(uint16_t);
  if (format_ == WeightFormat::int8) return panels * size_t((k_ + 3) / 4 * 4 * nr_) + panels * size_t(nr_) * 8;
  return panels * size_t(k_ * nr_) * sizeof(float);
}

const float* PackedWeights::col_scale() const {
  if (format_ != WeightFormat::int8) return nullptr;
  return reinterpret_cast<const float*>(data8() + (n_ + nr_ - 1) / nr_ * ((k_ + 3) / 4) * nr_ * 4);
}

const int32_t* PackedWeights::col_comp() const {
  const float* s = col_scale();
  return s ? reinterpret_cast<const int32_t*>(s + (n_ + nr_ - 1) / nr_ * nr_) : nullptr;
}

void linear_packed(const float* x, int64_t m, const PackedWeights& w, const float* bias, float* y,
                   Activation act) {
  if (m <= 0 || w.n() <= 0) return;
  if (w.k() == 0) {
    std::fill(y, y + m * w.n(), 0.f);
    bias_act(y, m, w.n(), bias, act);
    return;
  }
  PackedPanelsView v;
  v.n = w.n();
  v.k = w.k();
  v.nr = w.panel_width();
  switch (w.format()) {
    case WeightFormat::bf16:
      v.data16 = w.data16();
      return gemm_packed_bf16(x, m, w.k(), v, bias, y, act);
    case WeightFormat::int8:
      v.data8 = w.data8();
      v.col_scale = w.col_scale();
      v.col_comp = w.col_comp();
      return gemm_packed_int8(x, m, w.k(), v, bias, y, act);
    case WeightFormat::f32: break;
  }
  v.data = w.data();
  gemm_packed_f32(x, m, w.k(), v, bias, y, act);
}

}  // namespace hub::inference::ops
