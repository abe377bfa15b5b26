// The BERT-family encoder: embeddings (word + position + token type, LayerNorm, optional
// projection) followed by post-LN transformer layers (self-attention, residual + LayerNorm,
// feed-forward, residual + LayerNorm). Weights are borrowed Tensors (usually views of the
// mmap'd checkpoint). Immutable after construction; forward is const and thread-safe given
// one Workspace per concurrent call.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "inference/layers/workspace.h"
#include "inference/ops/elementwise.h"
#include "inference/ops/gemm.h"
#include "inference/tensor/bf16_matrix.h"
#include "inference/tensor/tensor.h"

namespace hub::inference::layers {

struct Linear {
  Tensor weight;  // [out, in] (PyTorch layout); empty when weight_bf16 holds the weight
  Tensor bias;    // [out] or empty
  // The weight kept as bf16 [out, in] (decoders loading a BF16 checkpoint), else empty.
  Bf16Matrix weight_bf16 = {};
  // The f32 weight packed for the engine's own GEMM (ops::PackedWeights; in bf16 when the
  // encoder precision asks for it and the CPU has the kernel), made once by pack(); forward
  // uses it when present, else OpenBLAS on `weight`.
  ops::PackedWeights packed = {};
  void pack(ops::WeightFormat format = ops::WeightFormat::f32) {
    if (!is_bf16() && packed.empty() && !weight.empty_tensor())
      packed = ops::PackedWeights::pack(weight.data(), weight.dim(0), weight.dim(1), format);
  }
  bool is_bf16() const { return !weight_bf16.empty(); }
  int64_t in() const { return is_bf16() ? weight_bf16.cols : weight.dim(1); }
  int64_t out() const { return is_bf16() ? weight_bf16.rows : weight.dim(0); }
  // Bytes of weight + bias as held in memory.
  size_t bytes() const {
    return (is_bf16() ? weight_bf16.bytes() : size_t(weight.numel()) * sizeof(float)) +
           packed.bytes() + size_t(bias.numel()) * sizeof(float);
  }
  // y[rows, out] = act(x[rows, in] · Wᵀ + b), in f32 whatever the weight's storage.
  void forward(const float* x, int64_t rows, float* y,
               ops::Activation act = ops::Activation::none) const;
};

struct Norm {
  Tensor weight, bias;  // [dim]; bias may be empty
  float eps = 1e-12f;
};

enum class PositionScheme {
  absolute,  // position = index in the sequence
  roberta,   // position = padding_idx + 1 + rank among non-pad tokens; pad tokens get padding_idx
};

struct EncoderConfig {
  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t intermediate_size = 0;
  int64_t max_position_embeddings = 0;
  int64_t type_vocab_size = 0;  // 0: the model has no token-type embeddings
  int64_t embedding_size = 0;   // == hidden_size unless an embeddings projection exists
  int64_t pad_token_id = 0;
  float layer_norm_eps = 1e-12f;
  ops::Activation hidden_act = ops::Activation::gelu_erf;
  PositionScheme positions = PositionScheme::absolute;
  // MPNet: > 0 adds a learned relative position bias (T5-style buckets, max distance 128)
  // to every layer's attention scores.
  int64_t relative_attention_num_buckets = 0;
};

struct EncoderLayer {
  Linear query, key, value, attn_out;
  Norm attn_norm;
  Linear ffn_in, ffn_out;
  Norm ffn_norm;
};

struct EncoderWeights {
  Tensor word_embeddings;      // [vocab, embedding_size]
  Tensor position_embeddings;  // [max_positions, embedding_size]
  Tensor token_type_embeddings;  // [type_vocab, embedding_size] or empty
  Norm embeddings_norm;
  Linear embeddings_project;   // empty weight unless embedding_size != hidden_size
  Tensor relative_attention_bias;  // [num_buckets, n_head] when relative_attention_num_buckets > 0
  std::vector<EncoderLayer> layers;
};

// A batch of token ids, row-major [batch, seq]. attention_mask (1 keep / 0 pad) and
// token_type_ids may be empty (all ones / all zeros); type ids are ignored by models without
// token-type embeddings.
struct Batch {
  int64_t batch = 0, seq = 0;
  std::span<const int32_t> input_ids;
  std::span<const int32_t> attention_mask;
  std::span<const int32_t> token_type_ids;
};

// MPNet's bucket of a relative position (key - query), as transformers'
// MPNetEncoder.relative_position_bucket (bidirectional, max_distance 128).
int64_t relative_position_bucket(int64_t relative_position, int64_t num_buckets);

// Floats of workspace a forward of [batch, seq] needs under config `c` (what
// Encoder::workspace_floats answers; the memory estimate sizes it before any load).
int64_t encoder_workspace_floats(const EncoderConfig& c, int64_t batch, int64_t seq);

class Encoder {
 public:
  Encoder(EncoderConfig config, EncoderWeights weights);
  const EncoderConfig& config() const { return config_; }
  const EncoderWeights& weights() const { return weights_; }

  // Floats of workspace a forward of [batch, seq] needs, including the returned hidden states.
  int64_t workspace_floats(int64_t batch, int64_t seq) const;
  // Runs the encoder; returns the last hidden states [batch*seq, hidden] inside `ws` (valid
  // until the workspace is reused). The caller has validated ids (see check_batch) and called
  // ws.reserve(>= workspace_floats(...)) — extra space after that is free for the caller.
  float* forward(const Batch& batch, Workspace& ws) const;

  // Error text when ids, type ids, mask or length are out of range, else empty.
  std::string check_batch(const Batch& batch) const;

 private:
  EncoderConfig config_;
  EncoderWeights weights_;
};

}  // namespace hub::inference::layers
