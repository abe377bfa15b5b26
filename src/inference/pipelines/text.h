// Internal to pipelines/: shared helpers — running one encoding through the model, UTF-8
// offset conversion, score functions, parameter reads. Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "inference/models/model.h"
#include "inference/tokenizers/tokenizer.h"

namespace hub::inference::pipelines {

using tokenizers::Encoding;
using tokenizers::Tokenizer;

Result<const Tokenizer*> require_tokenizer(const Model& m);
// The model's batch for one encoding (batch 1).
Batch batch_of(const Encoding& e);

// Several encodings as one right-padded batch (pad id, attention 0, type 0). Owns the
// buffers its Batch views; keep it alive while the Batch is in use.
struct PaddedBatch {
  std::vector<int32_t> ids, mask, types;
  Batch batch;
};
PaddedBatch pad_batch(std::span<const Encoding> encs, int32_t pad_id);

// The longest sequence the model's positions allow (RoBERTa offsets positions by pad + 1).
int64_t model_max_tokens(const ModelConfig& c);
// Truncation of one input of an encoding (sequence_ids == seq): drops its last tokens until
// the whole encoding has at most max_len tokens, keeping the special tokens around it.
void truncate_sequence(Encoding& e, size_t max_len, int32_t seq);

// Code point index of each byte position of `text` (size text.size() + 1), so that a byte
// offset b maps to cp[b] (Python str indices).
std::vector<int64_t> codepoint_index(std::string_view text);

void softmax_inplace(std::vector<double>& v);
double sigmoid(double x);

enum class ScoreFn { softmax, sigmoid, none };
// §4 default from config.json, overridden by `function_to_apply` when given.
Result<ScoreFn> score_function(const ModelConfig& c, const boost::json::object* params);

// Optional parameter reads: nullopt when absent/null; invalid_argument when mistyped.
Result<std::optional<int64_t>> param_int(const boost::json::object* p, std::string_view key);
Result<std::optional<bool>> param_bool(const boost::json::object* p, std::string_view key);
Result<std::optional<std::string>> param_string(const boost::json::object* p, std::string_view key);

// Inputs as a list of strings: a string -> {s} (single = true); a list of strings -> them.
Result<std::vector<std::string>> text_inputs(const boost::json::value& inputs, bool* single);

}  // namespace hub::inference::pipelines
