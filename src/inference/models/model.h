// Model: a loaded model of any kind (models/kind.h): an encoder (BERT family) with its task
// head, pooling config and optional tokenizer; a decoder (CausalLM); an encoder-decoder
// (Seq2SeqLM). Which tasks it serves: models/tasks.h by config().kind. Immutable after load and shared by requests as shared_ptr<const Model>; all
// methods are const and thread-safe (each call leases its own workspace).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "inference/layers/encoder.h"
#include "inference/layers/heads.h"
#include "inference/models/kind.h"
#include "inference/models/memory.h"
#include "inference/tensor/tensor.h"

namespace hub::inference {

namespace tokenizers {
class Tokenizer;
}
namespace chat {
struct ChatTemplate;
}
class CausalLM;
class Seq2SeqLM;

using layers::Batch;
using layers::HeadKind;

struct ModelConfig {
  ModelKind kind = ModelKind::encoder;  // from the registry (models/registry.h)
  std::string model_type;    // config.json "model_type"
  std::string architecture;  // architectures[0], or "" when absent
  layers::EncoderConfig encoder;
  HeadKind head = HeadKind::none;
  int64_t num_labels = 0;               // rows of the head's output layer (0 for none)
  std::vector<std::string> id2label;    // size num_labels; "LABEL_i" where config lacks one
  std::string problem_type;             // config.json "problem_type" or ""
  std::optional<layers::PoolingConfig> sentence_pooling;  // from modules.json, if any
  boost::json::object raw;              // the whole config.json
};

struct LoadOptions {
  // Force a head instead of the one architectures[0] implies (HeadKind::none = encoder only).
  std::optional<HeadKind> head;
  // Attach tokenizer.json when present and the tokenizers library is built.
  bool load_tokenizer = true;
  // The budget and serving shape the model's memory estimate is checked against before
  // anything loads (default: no budget).
  MemoryLimits limits;
};

class Model {
 public:
  Model(ModelConfig config, layers::Encoder encoder, layers::Head head,
        std::shared_ptr<const tokenizers::Tokenizer> tokenizer);
  // A decoder-only model (Llama family, GPT-2): served by the generation pipeline.
  Model(ModelConfig config, std::shared_ptr<const CausalLM> lm);
  // An encoder-decoder (T5): served by the seq2seq pipelines.
  Model(ModelConfig config, std::shared_ptr<const Seq2SeqLM> lm);
  ~Model();

  const ModelConfig& config() const { return config_; }
  // The tokenizer from tokenizer.json, or null (no file, or tokenizers not built).
  const tokenizers::Tokenizer* tokenizer() const { return tokenizer_.get(); }
  // The decoder for text generation, or null for encoder models.
  const CausalLM* causal_lm() const { return causal_lm_.get(); }
  // The encoder-decoder for text2text tasks, or null.
  const Seq2SeqLM* seq2seq() const { return seq2seq_.get(); }
  // A decoder's chat template (chat_template.jinja / tokenizer_config.json), or null with
  // chat_template_error() saying why: none shipped, or one that does not parse.
  const chat::ChatTemplate* chat_template() const { return chat_template_.get(); }
  const std::string& chat_template_error() const { return chat_template_error_; }
  // What the model holds once serving (weights, tables, KV caches, scratch), estimated from
  // its config before it was loaded: the model cache accounts this.
  const MemoryEstimate& memory() const { return memory_; }
  void set_memory(const MemoryEstimate& m) { memory_ = m; }
  void set_chat_template(std::shared_ptr<const chat::ChatTemplate> t, std::string error) {
    chat_template_ = std::move(t);
    chat_template_error_ = std::move(error);
  }

  // Last hidden states, [batch, seq, hidden].
  Result<Tensor> hidden_states(const Batch& batch) const;
  // Head output: [batch, num_labels] (sequence classification), [batch, seq, num_labels]
  // (token classification), [batch, seq, 2] (question answering: start, end),
  // [batch, seq, vocab] (masked LM), [batch, seq] (ELECTRA discriminator).
  // Errc::unsupported when the model has no head.
  Result<Tensor> logits(const Batch& batch) const;
  // Sentence embeddings [batch, dim]: the sentence-transformers pooling when the model ships
  // one, else `fallback` (default: mean pooling, not normalised).
  Result<Tensor> embeddings(const Batch& batch,
                            const std::optional<layers::PoolingConfig>& fallback = {}) const;

 private:
  ModelConfig config_;
  std::optional<layers::Encoder> encoder_;  // empty for decoder and encoder-decoder models
  layers::Head head_;
  std::shared_ptr<const tokenizers::Tokenizer> tokenizer_;
  std::shared_ptr<const CausalLM> causal_lm_;
  std::shared_ptr<const Seq2SeqLM> seq2seq_;
  std::shared_ptr<const chat::ChatTemplate> chat_template_;
  std::string chat_template_error_;
  MemoryEstimate memory_;
  mutable layers::WorkspacePool workspaces_;
};

// Loads a Hugging Face model directory (config.json + model.safetensors[.index.json], optional
// tokenizer.json, modules.json). The config is checked against the weights' shapes and its
// memory estimate against opts.limits before any tensor loads. Errors: not_found (files),
// corrupt (bad JSON/weights, config/weights mismatch), unsupported (model_type or head not
// supported), invalid_argument (bad config values), too_large (over the memory budget).
Result<std::shared_ptr<const Model>> load_model(const std::string& dir, const LoadOptions& opts = {});

// The HeadKind an `architectures` entry implies (e.g. "BertForMaskedLM" -> masked_lm).
HeadKind head_from_architecture(std::string_view model_type, std::string_view architecture);

}  // namespace hub::inference
