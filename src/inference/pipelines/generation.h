// Text generation on a CausalLM: greedy or sampled decoding (temperature, top_k, top_p,
// typical_p, repetition_penalty, seed) with EOS, max_new_tokens and stop-sequence ends, and
// the Inference API `text-generation` task (docs/INFERENCE_API.md §5: TGI parameters and
// validation, `[{"generated_text"}]`, return_full_text). Stateless; thread-safe: every call
// owns its DecoderState (KV cache) and random generator; the model is shared const.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
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
};

// Called after each new token; returning false stops generation (finish_reason "length"
// is kept; a caller that stops, e.g. a disconnected stream, knows why).
using TokenCallback = std::function<bool(int32_t token)>;

// Generates after `prompt` (non-empty token ids). The prompt plus max_new_tokens must fit the
// model's context (invalid_argument otherwise). Stop sequences need the model's tokenizer.
Result<GenerationOutput> generate(const CausalLM& lm, std::span<const int32_t> prompt,
                                  const GenerationParams& params, const TokenCallback& on_token = {});

// The request's `parameters` (may be null) validated as TGI does, with defaults from the
// model's generation_config.json. prompt_tokens sizes the max_new_tokens checks.
Result<GenerationParams> parse_generation_params(const CausalLM& lm, const boost::json::object* params,
                                                 int64_t prompt_tokens);

// The `text-generation` task: inputs is a string (→ [{"generated_text"}]) or a list of strings
// (→ one such list per input). Errors: invalid_argument (the API's 4xx), unsupported (no
// tokenizer).
Result<boost::json::value> text_generation(const CausalLM& lm, const boost::json::value& inputs,
                                           const boost::json::object* params);

// Streaming (`stream: true`): validates the request now (errors before any byte is sent) and
// returns the generation to run later, on the caller's thread. on_token gets each new
// token's id, the text it adds (possibly empty mid-character) and whether it is an end-of-
// sequence token; returning false stops. The result holds the final event's fields:
// generated_text (new text only) and, when the request asked for them, details.
using StreamCallback = std::function<bool(int32_t id, const std::string& text, bool special)>;
Result<std::function<Result<boost::json::object>(const StreamCallback&)>> prepare_stream(
    const CausalLM& lm, const boost::json::value& inputs, const boost::json::value& parameters);

// run_task's counterpart for decoder models: "text-generation" only.
Result<boost::json::value> run_generation_task(const CausalLM& lm, std::string_view task,
                                               const boost::json::value& inputs,
                                               const boost::json::value& parameters);

}  // namespace hub::inference::pipelines
