// Seq2SeqLM: a loaded encoder-decoder text model (T5 today; BART/Marian join as further
// subclasses in their own files) with its tokenizer and generation defaults. The encoder runs
// once per source; each decoder layer's cross-attention keys/values of that source are
// computed once (EncoderStates) and shared by every beam; each beam's self-attention keys/
// values grow in its own Seq2SeqState. Immutable after load and shared as
// shared_ptr<const Seq2SeqLM>; const methods are thread-safe as long as each thread uses its
// own states.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "inference/layers/kv_cache.h"
#include "inference/tensor/tensor.h"

namespace hub::inference {

namespace tokenizers {
class Tokenizer;
}

struct Seq2SeqConfig {
  std::string model_type, architecture;
  int64_t vocab_size = 0, d_model = 0, num_decoder_layers = 0, kv_dim = 0;
  // Longest source (tokens) and decoder sequence (incl. the start token) served: the memory
  // estimate is sized for them.
  int64_t max_source_tokens = 512, max_target_tokens = 512;
  int32_t pad_token_id = 0, decoder_start_token_id = 0;
  std::vector<int32_t> eos_token_ids;
  boost::json::object raw;         // config.json
  boost::json::object generation;  // generation_config.json, or {}
};

// One source's encoder output, as each decoder layer's cross-attention keys and values.
struct EncoderStates {
  int64_t length = 0;
  std::vector<std::vector<float>> keys, values;  // per decoder layer: [length, kv_dim]
};

// One decoder hypothesis: its self-attention cache plus the source it attends to.
struct Seq2SeqState {
  std::shared_ptr<const EncoderStates> source;
  layers::KVCache cache;
  int64_t length() const { return cache.length(); }
};

class Seq2SeqLM {
 public:
  virtual ~Seq2SeqLM() = default;
  virtual const Seq2SeqConfig& config() const = 0;
  const tokenizers::Tokenizer* tokenizer() const { return tokenizer_.get(); }
  void set_tokenizer(std::shared_ptr<const tokenizers::Tokenizer> t) { tokenizer_ = std::move(t); }

  // Runs the encoder over `ids` (1..max_source_tokens tokens, each < vocab) and projects the
  // cross-attention keys/values. invalid_argument on bad ids or length.
  virtual Result<std::shared_ptr<const EncoderStates>> encode(std::span<const int32_t> ids) const = 0;
  // The encoder's last hidden states [n, d_model] (tests: parity with the reference).
  virtual Result<Tensor> encoder_hidden(std::span<const int32_t> ids) const = 0;
  Seq2SeqState new_state(std::shared_ptr<const EncoderStates> source) const;
  // One decoder step for several hypotheses: tokens[i] is appended to *states[i] (distinct
  // states, any lengths). Returns logits [B, vocab].
  virtual Result<Tensor> decode_step(std::span<const int32_t> tokens,
                                     std::span<Seq2SeqState* const> states) const = 0;
  virtual size_t weight_bytes() const = 0;

 private:
  std::shared_ptr<const tokenizers::Tokenizer> tokenizer_;
};

}  // namespace hub::inference
