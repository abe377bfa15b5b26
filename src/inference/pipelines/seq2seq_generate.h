// Encoder-decoder generation as transformers' generate() runs it: greedy search and beam
// search (running and finished beams, length penalty, early_stopping true/false/"never") with
// the logits processors no_repeat_ngram_size, bad_words_ids, min_length, min_new_tokens,
// forced_bos_token_id and forced_eos_token_id, in generate()'s order. Seq2SeqParams holds the
// resolved settings: defaults from generation_config.json (else config.json), then the
// pipeline task's task_specific_params, then the request. Stateless; thread-safe.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "inference/models/seq2seq.h"

namespace hub::inference::pipelines {

struct Seq2SeqParams {
  int64_t max_length = 20;                 // decoder length incl. the start token
  std::optional<int64_t> max_new_tokens;   // wins over max_length when set
  int64_t min_length = 0, min_new_tokens = 0;
  int64_t num_beams = 1;
  double length_penalty = 1.0;
  enum class EarlyStopping { no, yes, never } early_stopping = EarlyStopping::no;
  int64_t no_repeat_ngram_size = 0;
  std::vector<std::vector<int32_t>> bad_words_ids;
  std::optional<int32_t> forced_bos_token_id, forced_eos_token_id;
  int32_t decoder_start_token_id = 0;
  std::vector<int32_t> eos_token_ids;
  // The decoder length the loop stops at: max_new_tokens + 1, else max_length.
  int64_t stop_length() const { return max_new_tokens ? *max_new_tokens + 1 : max_length; }
};

// Overlays the generation fields of `o` (generation_config.json, task_specific_params, or a
// request's parameters) onto p. invalid_argument names a bad field (type or range).
Result<void> apply_generation_fields(Seq2SeqParams& p, const boost::json::object& o, int64_t vocab);

// The model's defaults: generation_config.json when shipped, else config.json's generation
// fields (transformers' GenerationConfig.from_model_config).
Result<Seq2SeqParams> seq2seq_defaults(const Seq2SeqLM& lm);

// Generates from `source` ids; returns the generated ids (without the start token; a final
// eos included when the hypothesis ended with one).
Result<std::vector<int32_t>> seq2seq_generate(const Seq2SeqLM& lm, std::span<const int32_t> source,
                                              const Seq2SeqParams& p);

// Several sources at once (a batch of requests the scheduler merged): greedy search steps all
// unfinished sequences through one decode_step (the weights stream once per step for the whole
// batch); beam search runs per source. Each answer equals seq2seq_generate's for that source.
Result<std::vector<std::vector<int32_t>>> seq2seq_generate_batch(const Seq2SeqLM& lm,
                                                                 std::span<const std::vector<int32_t>> sources,
                                                                 const Seq2SeqParams& p);

}  // namespace hub::inference::pipelines
