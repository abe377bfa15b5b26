// CausalLM: a loaded decoder-only language model (the Llama family: Llama, Mistral, Qwen2,
// SmolLM... told apart by config.json fields, not copies; and GPT-2) with its tokenizer and generation
// defaults. Forward runs new tokens against a per-sequence DecoderState (a preallocated KV
// cache plus scratch): prefill the prompt once, then one token per decode step; nothing is
// recomputed. Immutable after load and shared as shared_ptr<const CausalLM>; forward is const
// and thread-safe as long as each thread uses its own DecoderState.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "inference/layers/encoder.h"
#include "inference/layers/kv_cache.h"
#include "inference/layers/rope.h"
#include "inference/models/memory.h"
#include "inference/ops/elementwise.h"
#include "inference/tensor/bf16_matrix.h"
#include "inference/tensor/tensor.h"

namespace hub::inference {

namespace tokenizers {
class Tokenizer;
}

struct DecoderConfig {
  // llama: RMSNorm, RoPE, SwiGLU. gpt2: LayerNorm with bias, learned positions, plain MLP.
  enum class Family { llama, gpt2 };
  Family family = Family::llama;
  std::string model_type;    // config.json "model_type"
  std::string architecture;  // architectures[0] or ""
  int64_t vocab_size = 0, hidden_size = 0, intermediate_size = 0, num_layers = 0;
  int64_t num_heads = 0, num_kv_heads = 0, head_dim = 0;
  // Longest sequence (prompt + generated) served: max_position_embeddings, or the sliding
  // window when one is in force (attention beyond it would differ from the reference).
  int64_t max_positions = 0;
  float norm_eps = 1e-6f;
  ops::Activation act = ops::Activation::silu;
  layers::RopeConfig rope;
  bool tie_embeddings = false;
  std::vector<int32_t> eos_token_ids;  // generation_config.json, else config.json
  std::optional<int32_t> bos_token_id;
  boost::json::object raw;             // the whole config.json
  boost::json::object generation;      // generation_config.json, or {}
};

struct DecoderLayerWeights {
  Tensor attn_norm, mlp_norm;            // norm weights [hidden]
  Tensor attn_norm_bias, mlp_norm_bias;  // LayerNorm biases (gpt2), else empty
  layers::Linear q, k, v, o;             // biases optional (Qwen2: q, k, v)
  // llama: down(act(gate(x)) * up(x)); gpt2 (gate empty): down(act(up(x))).
  layers::Linear gate, up, down;
};

// Llama-family checkpoints stored as BF16 keep their matrices (projections, embedding,
// lm_head) as bf16 views of the mapping: the *_bf16 fields and Linear::weight_bf16 are set
// and the f32 tensors they replace are empty. Norms, biases and f32/f16 checkpoints are f32.
struct DecoderWeights {
  Tensor embed;                          // [vocab, hidden]
  Tensor positions;                      // [max_positions, hidden] learned (gpt2), else empty
  std::vector<DecoderLayerWeights> layers;
  Tensor final_norm, final_norm_bias;    // [hidden]; bias gpt2 only
  Tensor lm_head;                        // [vocab, hidden] (the embedding when tied)
  Bf16Matrix embed_bf16, lm_head_bf16;   // bf16 forms of embed / lm_head, else empty
};

// The per-sequence state: KV cache for up to `capacity` positions (its storage grows with
// the sequence) and forward scratch.
struct DecoderState {
  layers::KVCache cache;
  std::vector<float> scratch;
  int64_t length() const { return cache.length(); }
};

class CausalLM {
 public:
  CausalLM(DecoderConfig config, DecoderWeights weights,
           std::shared_ptr<const tokenizers::Tokenizer> tokenizer);
  ~CausalLM();

  const DecoderConfig& config() const { return config_; }
  const tokenizers::Tokenizer* tokenizer() const { return tokenizer_.get(); }

  // A fresh state able to hold `capacity` positions (clamped to config().max_positions);
  // nothing is allocated until tokens arrive.
  DecoderState new_state(int64_t capacity) const;

  // Runs `ids` at positions state.length()..+n, appending their keys/values to the cache.
  // Returns logits [n, vocab] when all_logits, else [1, vocab] for the last token.
  // invalid_argument: empty ids, id out of range, or the cache would overflow.
  Result<Tensor> forward(std::span<const int32_t> ids, DecoderState& state,
                         bool all_logits = false) const;

  // One decode step for several sequences at once (continuous batching): tokens[i] is
  // appended to *states[i] (the states may hold different lengths; all distinct). Returns
  // logits [B, vocab]; the weights stream once for the whole batch.
  Result<Tensor> forward_step(std::span<const int32_t> tokens, std::span<DecoderState* const> states) const;

  // Bytes of weights as held in memory (bf16 matrices count 2 bytes per value; a tied
  // lm_head counts once).
  size_t weight_bytes() const;

 private:
  DecoderConfig config_;
  DecoderWeights w_;
  layers::Linear head_;  // lm_head as a Linear (f32 or bf16), sharing w_'s storage
  void embed(std::span<const int32_t> ids, float* out) const;
  layers::Rope rope_;
  std::shared_ptr<const tokenizers::Tokenizer> tokenizer_;
};

// model_types load_causal_lm accepts.
bool is_causal_lm_type(std::string_view model_type);

// Loads a Hugging Face decoder directory: config.json, model.safetensors[.index.json],
// generation_config.json and tokenizer.json when present. Errors: not_found, corrupt (bad
// JSON / weights / shapes), unsupported (model_type or a config feature we do not run),
// invalid_argument (bad config values).
// Before loading anything it checks the config against the checkpoint header's shapes and
// its memory estimate (models/memory.h) against limits.budget_bytes (too_large when over),
// and stores the estimate in *memory when given.
Result<std::shared_ptr<const CausalLM>> load_causal_lm(const std::string& dir,
                                                      bool load_tokenizer = true,
                                                      const MemoryLimits& limits = {},
                                                      MemoryEstimate* memory = nullptr);

}  // namespace hub::inference
