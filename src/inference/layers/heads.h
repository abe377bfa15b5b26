// Task heads on top of encoder hidden states, and sentence pooling (sentence-transformers'
// Pooling + Normalize modules). Weights are borrowed Tensors. Immutable; forward is const and
// thread-safe given its own output/scratch buffers.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "inference/layers/encoder.h"

namespace hub::inference::layers {

enum class HeadKind {
  none,                     // bare encoder (feature extraction)
  sequence_classification,  // first token -> [dense -> act] -> out: [batch, num_labels]
  token_classification,     // each token -> out: [batch, seq, num_labels]
  question_answering,       // each token -> out: [batch, seq, 2] (start, end logits)
  masked_lm,                // each token -> dense -> act -> norm -> decoder: [batch, seq, vocab]
  electra_discriminator,    // each token -> dense -> act -> out: [batch, seq, 1]
};

std::string_view head_kind_name(HeadKind k);

struct Head {
  HeadKind kind = HeadKind::none;
  Linear dense;  // optional (empty weight: skipped)
  ops::Activation dense_act = ops::Activation::none;
  Norm norm;     // optional (empty weight: skipped)
  Linear out;    // required unless kind == none

  bool pooled() const { return kind == HeadKind::sequence_classification; }
  int64_t n_out() const { return out.weight.empty_tensor() ? 0 : out.out(); }
  // Rows of output: batch (pooled) or batch*seq.
  int64_t out_rows(int64_t batch, int64_t seq) const { return pooled() ? batch : batch * seq; }
  int64_t workspace_floats(int64_t batch, int64_t seq, int64_t hidden_size) const;
  // hidden [batch*seq, H] -> out [out_rows, n_out]. Scratch is taken from ws.
  void forward(const float* hidden, int64_t batch, int64_t seq, int64_t hidden_size, float* out,
               Workspace& ws) const;
};

enum class PoolingMode { cls, max, mean, mean_sqrt_len };

struct PoolingConfig {
  std::vector<PoolingMode> modes{PoolingMode::mean};  // concatenated in this order
  bool normalize = false;                             // L2, as torch F.normalize (eps 1e-12)
  int64_t out_dim(int64_t hidden) const { return hidden * int64_t(modes.size()); }
};

// hidden [batch*seq, H], mask [batch*seq] (empty: all ones) -> out [batch, out_dim(H)].
void pool(const float* hidden, int64_t batch, int64_t seq, int64_t hidden_size,
          std::span<const int32_t> mask, const PoolingConfig& cfg, float* out);

}  // namespace hub::inference::layers
