#include "inference/ops/reference.h"

#include <cmath>
#include <vector>

namespace hub::inference::ops::reference {

void linear(const float* x, int64_t m, int64_t k, const float* w, int64_t n, const float* bias,
            float* y) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = bias ? bias[j] : 0.0;
      for (int64_t t = 0; t < k; ++t) acc += double(x[i * k + t]) * w[j * k + t];
      y[i * n + j] = float(acc);
    }
}

void bias_act(float* x, int64_t rows, int64_t cols, const float* bias, Activation act) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) {
      double v = x[r * cols + c] + (bias ? bias[c] : 0.f);
      double y = v;
      switch (act) {
        case Activation::none: break;
        case Activation::gelu_erf: y = 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); break;
        case Activation::gelu_tanh:
          y = 0.5 * v * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (v + 0.044715 * v * v * v)));
          break;
        case Activation::relu: y = v > 0 ? v : 0; break;
        case Activation::silu: y = v / (1.0 + std::exp(-v)); break;
        case Activation::tanh: y = std::tanh(v); break;
        case Activation::sigmoid: y = 1.0 / (1.0 + std::exp(-v)); break;
      }
      x[r * cols + c] = float(y);
    }
}

void softmax(float* x, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    double mx = row[0];
    for (int64_t c = 1; c < cols; ++c) mx = std::max<double>(mx, row[c]);
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c) sum += std::exp(double(row[c]) - mx);
    for (int64_t c = 0; c < cols; ++c) row[c] = float(std::exp(double(row[c]) - mx) / sum);
  }
}

void layer_norm(float* x, const float* residual, int64_t rows, int64_t cols, const float* gamma,
                const float* beta, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    std::vector<double> v(static_cast<size_t>(cols));
    double mean = 0;
    for (int64_t c = 0; c < cols; ++c) {
      v[c] = double(row[c]) + (residual ? residual[r * cols + c] : 0.f);
      mean += v[c];
    }
    mean /= double(cols);
    double var = 0;
    for (int64_t c = 0; c < cols; ++c) var += (v[c] - mean) * (v[c] - mean);
    var /= double(cols);
    double rstd = 1.0 / std::sqrt(var + eps);
    for (int64_t c = 0; c < cols; ++c)
      row[c] = float((v[c] - mean) * rstd * gamma[c] + (beta ? beta[c] : 0.f));
  }
}

void rms_norm(float* x, int64_t rows, int64_t cols, const float* gamma, float eps) {
  for (int64_t r = 0; r < rows; ++r) {
    float* row = x + r * cols;
    double ss = 0;
    for (int64_t c = 0; c < cols; ++c) ss += double(row[c]) * row[c];
    double scale = 1.0 / std::sqrt(ss / double(cols) + eps);
    for (int64_t c = 0; c < cols; ++c) row[c] = float(row[c] * scale * (gamma ? gamma[c] : 1.f));
  }
}

void attention(const AttentionShape& s, const float* q, const float* k, const float* v,
               const float* mask_add, const float* head_bias, float scale, float* out) {
  std::vector<double> p(size_t(s.seq));
  for (int64_t b = 0; b < s.batch; ++b)
    for (int64_t h = 0; h < s.n_head; ++h)
      for (int64_t i = 0; i < s.seq; ++i) {
        const float* qr = q + (b * s.seq + i) * s.q_stride + h * s.head_dim;
        double mx = -INFINITY;
        for (int64_t j = 0; j < s.seq; ++j) {
          const float* kr = k + (b * s.seq + j) * s.k_stride + h * s.head_dim;
          double acc = 0;
          for (int64_t c = 0; c < s.head_dim; ++c) acc += double(qr[c]) * kr[c];
          p[j] = acc * scale + (head_bias ? head_bias[(h * s.seq + i) * s.seq + j] : 0.f) +
                 (mask_add ? mask_add[b * s.seq + j] : 0.f);
          mx = std::max(mx, p[j]);
        }
        double sum = 0;
        for (int64_t j = 0; j < s.seq; ++j) sum += (p[j] = std::exp(p[j] - mx));
        float* o = out + (b * s.seq + i) * s.out_stride + h * s.head_dim;
        for (int64_t c = 0; c < s.head_dim; ++c) {
          double acc = 0;
          for (int64_t j = 0; j < s.seq; ++j)
            acc += p[j] / sum * v[(b * s.seq + j) * s.v_stride + h * s.head_dim + c];
          o[c] = float(acc);
        }
      }
}

}  // namespace hub::inference::ops::reference
