// Text generation on a CausalLM: greedy or sampled decoding (temperature, top_k, top_p,
// typical_p, repetition_penalty, seed) with EOS, max_new_tokens and stop-sequence ends, and
// the Inference API `text-generation` task (docs/INFERENCE_API.md §5: TGI parameters and
// validation, `[{"generated_text"}]`, return_full_text). Stateless; thread-safe: every call
// owns its DecoderState (KV cache) and random generator; the model is shared const.
// SequenceSampler is the per-sequence decoding logic (sampling + end checks) that generate()
// and the continuous-batching engine (runtime/generation_engine.h) share; a Generator lets the
// task functions run through that engine instead of generate().
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "inference/models/decoder.h"

namespace hub::inference::pipelines {

struct GenerationParams {
  int64_t max_new_tokens = 20;
  bool do_sample = false;     // greedy unless set (parse_generation_params turns it on per TGI)
  double temperature = 1.0;
  int64_t top_k = 0;          // 0 = off
  double top_p = 1.0;         // 1 = off
  double typical_p = 1.0;     // 1 = off
  double repetition_penalty = 1.0;  // 1 = off
  std::optional<uint64_t> seed;     // random when sampling without one
  std::vector<std::string> stop;    // decoded output ending with one of these ends generation
  std::vector<int32_t> eos_token_ids;
};

struct GenerationOutput {
  std::vector<int32_t> tokens;   // new tokens, including a final EOS token if one ended it
  std::string finish_reason;     // "length" | "eos_token" | "stop_sequence"
  uint64_t seed = 0;             // the seed used (meaningful when sampling)
  size_t prompt_tokens = 0;
  size_t batch_size = 1;         // the largest decode batch it shared (continuous batching)
};

// Called after each new token; returning false stops generation (finish_reason "length"
// is kept; a caller that stops, e.g. a disconnected stream, knows why).
using TokenCallback = std::function<bool(int32_t token)>;

// One sequence's decoding, whoever runs the model: validates the prompt and params against the
// model, owns the random generator and token history, picks each next token from that step's
// logits with the sequence's own params, and says when the sequence ends. The driving loop:
//   start → (if !done()) prefill → { tok = choose(row); deliver tok; if (check_end()) stop;
//   decode tok → next row }. Not thread-safe: one per sequence, used by one thread at a time.
class SequenceSampler {
 public:
  // Errors: invalid_argument (empty prompt, prompt + max_new_tokens over the context),
  // unsupported (stop sequences without a tokenizer).
  static Result<SequenceSampler> start(const CausalLM& lm, std::span<const int32_t> prompt,
                                       const GenerationParams& params);
  // Positions the sequence's KV cache needs (prompt + max_new_tokens).
  int64_t cache_capacity() const { return int64_t(prompt_size_) + params_.max_new_tokens; }
  // True before any token when max_new_tokens is 0: nothing to run.
  bool done() const { return params_.max_new_tokens <= 0; }
  // Picks the next token from this step's logits (vocab floats; not modified) and records it.
  int32_t choose(const float* logits);
  // After the chosen token was delivered: whether it ends the sequence (EOS, a stop sequence,
  // or max_new_tokens), setting finish_reason. Errors: a stop-sequence decode failure.
  Result<bool> check_end();
  const GenerationParams& params() const { return params_; }
  const GenerationOutput& output() const { return out_; }
  GenerationOutput take_output() { return std::move(out_); }

 private:
  SequenceSampler(const CausalLM& lm, std::span<const int32_t> prompt, const GenerationParams& params);
  const CausalLM* lm_;
  GenerationParams params_;
  size_t prompt_size_;
  std::mt19937_64 rng_;
  std::vector<int32_t> history_;  // prompt + generated (repetition penalty)
  std::vector<float> row_;        // scratch: the logits the processors modify
  GenerationOutput out_;
};

// Generates after `prompt` (non-empty token ids). The prompt plus max_new_tokens must fit the
// model's context (invalid_argument otherwise). Stop sequences need the model's tokenizer.
Result<GenerationOutput> generate(const CausalLM& lm, std::span<const int32_t> prompt,
                                  const GenerationParams& params, const TokenCallback& on_token = {});

// How the task functions below run one generation: generate() when empty; the Inference API
// passes the model's continuous-batching engine. Same contract as generate().
using Generator = std::function<Result<GenerationOutput>(std::span<const int32_t> prompt,
                                                         const GenerationParams& params,
                                                         const TokenCallback& on_token)>;

// The request's `parameters` (may be null) validated as TGI does, with defaults from the
// model's generation_config.json. prompt_tokens sizes the max_new_tokens checks.
Result<GenerationParams> parse_generation_params(const CausalLM& lm, const boost::json::object* params,
                                                 int64_t prompt_tokens);

// The `text-generation` task: inputs is a string (→ [{"generated_text"}]) or a list of strings
// (→ one such list per input). Errors: invalid_argument (the API's 4xx), unsupported (no
// tokenizer).
Result<boost::json::value> text_generation(const CausalLM& lm, const boost::json::value& inputs,
                                           const boost::json::object* params, const Generator& gen = {});

// Streaming (`stream: true`): validates the request now (errors before any byte is sent) and
// returns the generation to run later, on the caller's thread. on_token gets each new
// token's id, the text it adds (possibly empty mid-character) and whether it is an end-of-
// sequence token; returning false stops. The result holds the final event's fields:
// generated_text (new text only) and, when the request asked for them, details.
using StreamCallback = std::function<bool(int32_t id, const std::string& text, bool special)>;
Result<std::function<Result<boost::json::object>(const StreamCallback&)>> prepare_stream(
    const CausalLM& lm, const boost::json::value& inputs, const boost::json::value& parameters,
    const Generator& gen = {});

// prepare_stream's parts, for a caller that drives the generation itself (asynchronously, e.g.
// through the engine with tokens arriving on another thread): the validated prompt and params,
// then each token's text in order, then the final event's fields. Not thread-safe; one per
// stream. The model must outlive it.
class TextStream {
 public:
  static Result<TextStream> prepare(const CausalLM& lm, const boost::json::value& inputs,
                                    const boost::json::value& parameters);
  // For a prompt already tokenized (chat: a rendered template) and params already validated
  // (parse_generation_params). unsupported without a tokenizer.
  static Result<TextStream> for_prompt(const CausalLM& lm, std::vector<int32_t> ids, GenerationParams params,
                                       bool details = false);
  const std::vector<int32_t>& prompt() const { return ids_; }
  const GenerationParams& params() const { return params_; }
  struct Piece {
    std::string text;  // what this token adds; empty while it ends mid-character
    bool special = false;  // an EOS token
  };
  // The next generated token (call in order, once per token).
  Result<Piece> push(int32_t id);
  // {"generated_text" (new text only), "details"} for the output of this stream's generation.
  Result<boost::json::object> finish(const GenerationOutput& out) const;

 private:
  const CausalLM* lm_ = nullptr;
  std::vector<int32_t> ids_, fresh_;
  GenerationParams params_;
  bool details_ = false;
  std::string emitted_;  // text handed out so far
};

// run_task's counterpart for decoder models: "text-generation" only.
Result<boost::json::value> run_generation_task(const CausalLM& lm, std::string_view task,
                                               const boost::json::value& inputs,
                                               const boost::json::value& parameters,
                                               const Generator& gen = {});

}  // namespace hub::inference::pipelines
