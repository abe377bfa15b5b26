#include "inference/layers/heads.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/result.h"
#include "inference/ops/norm.h"

namespace hub::inference::layers {

std::string_view head_kind_name(HeadKind k) {
  switch (k) {
    case HeadKind::none: return "none";
    case HeadKind::sequence_classification: return "sequence_classification";
    case HeadKind::token_classification: return "token_classification";
    case HeadKind::question_answering: return "question_answering";
    case HeadKind::masked_lm: return "masked_lm";
    case HeadKind::electra_discriminator: return "electra_discriminator";
  }
  return "none";
}

int64_t Head::workspace_floats(int64_t batch, int64_t seq, int64_t hidden_size) const {
  if (kind == HeadKind::none) return 0;
  int64_t rows = out_rows(batch, seq);
  int64_t first = pooled() ? rows * hidden_size : 0;
  int64_t mid = dense.weight.empty_tensor() ? 0 : dense.out();
  return Workspace::rounded(first) + Workspace::rounded(rows * mid);
}

void Head::forward(const float* hidden, int64_t batch, int64_t seq, int64_t hidden_size,
                   float* out_buf, Workspace& ws) const {
  HUB_ASSERT(kind != HeadKind::none);
  int64_t rows = out_rows(batch, seq);
  const float* x = hidden;
  if (pooled()) {
    // First token of each sequence ([CLS] / <s>).
    float* first = ws.take(rows * hidden_size);
    for (int64_t b = 0; b < batch; ++b)
      std::memcpy(first + b * hidden_size, hidden + b * seq * hidden_size,
                  size_t(hidden_size) * sizeof(float));
    x = first;
  }
  if (!dense.weight.empty_tensor()) {
    float* mid = ws.take(rows * dense.out());
    dense.forward(x, rows, mid, dense_act);
    if (!norm.weight.empty_tensor())
      ops::layer_norm(mid, nullptr, rows, dense.out(), norm.weight.data(),
                      norm.bias.empty_tensor() ? nullptr : norm.bias.data(), norm.eps);
    x = mid;
  }
  out.forward(x, rows, out_buf);
}

void pool(const float* hidden, int64_t batch, int64_t seq, int64_t h,
          std::span<const int32_t> mask, const PoolingConfig& cfg, float* out) {
  const int64_t od = cfg.out_dim(h);
  std::vector<double> acc(static_cast<size_t>(h));
  for (int64_t b = 0; b < batch; ++b) {
    float* o = out + b * od;
    auto keep = [&](int64_t s) { return mask.empty() || mask[size_t(b * seq + s)] != 0; };
    int64_t n_keep = 0;
    for (int64_t s = 0; s < seq; ++s) n_keep += keep(s) ? 1 : 0;
    for (size_t m = 0; m < cfg.modes.size(); ++m) {
      float* dst = o + int64_t(m) * h;
      switch (cfg.modes[m]) {
        case PoolingMode::cls:
          std::memcpy(dst, hidden + b * seq * h, size_t(h) * sizeof(float));
          break;
        case PoolingMode::max:
          // sentence-transformers sets masked tokens to -1e9 before the max.
          for (int64_t j = 0; j < h; ++j) {
            float mx = -std::numeric_limits<float>::infinity();
            for (int64_t s = 0; s < seq; ++s)
              mx = std::max(mx, keep(s) ? hidden[(b * seq + s) * h + j] : -1e9f);
            dst[j] = mx;
          }
          break;
        case PoolingMode::mean:
        case PoolingMode::mean_sqrt_len: {
          std::fill(acc.begin(), acc.end(), 0.0);
          for (int64_t s = 0; s < seq; ++s)
            if (keep(s))
              for (int64_t j = 0; j < h; ++j) acc[size_t(j)] += hidden[(b * seq + s) * h + j];
          double denom = std::max<double>(double(n_keep), 1e-9);
          if (cfg.modes[m] == PoolingMode::mean_sqrt_len) denom = std::sqrt(denom);
          for (int64_t j = 0; j < h; ++j) dst[j] = float(acc[size_t(j)] / denom);
          break;
        }
      }
    }
    if (cfg.normalize) {
      double ss = 0;
      for (int64_t j = 0; j < od; ++j) ss += double(o[j]) * o[j];
      double n = std::max(std::sqrt(ss), 1e-12);
      for (int64_t j = 0; j < od; ++j) o[j] = float(o[j] / n);
    }
  }
}

}  // namespace hub::inference::layers
