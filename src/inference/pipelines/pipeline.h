// run_task: the Inference API's task pipelines on a loaded encoder model (docs/INFERENCE_API.md
// §4-5): text-classification, fill-mask, token-classification, question-answering,
// feature-extraction, sentence-similarity, zero-shot-classification. Stateless; thread-safe
// (the Model is const and shared). Needs the model's tokenizer (Errc::unsupported without one).
#pragma once

#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "inference/models/model.h"

namespace hub::inference::pipelines {

// `inputs` and `parameters` as in the request body (`parameters` may be null). Errors:
// invalid_argument (bad input; the API's 400), unsupported (task or model cannot serve it).
Result<boost::json::value> run_task(const Model& model, std::string_view task,
                                    const boost::json::value& inputs,
                                    const boost::json::value& parameters);

// The tasks run_task accepts.
std::vector<std::string_view> supported_tasks();

}  // namespace hub::inference::pipelines
