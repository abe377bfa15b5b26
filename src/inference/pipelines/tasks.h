// Internal to pipelines/: one entry point per task file. Same contract as run_task.
#pragma once

#include "core/json.h"
#include "core/result.h"
#include "inference/models/model.h"

namespace hub::inference::pipelines {

using boost::json::value;

Result<value> text_classification(const Model& m, const value& inputs, const boost::json::object* params);
Result<value> fill_mask(const Model& m, const value& inputs, const boost::json::object* params);
Result<value> token_classification(const Model& m, const value& inputs, const boost::json::object* params);
Result<value> question_answering(const Model& m, const value& inputs, const boost::json::object* params);
Result<value> feature_extraction(const Model& m, const value& inputs, const boost::json::object* params);
Result<value> sentence_similarity(const Model& m, const value& inputs, const boost::json::object* params);
Result<value> zero_shot_classification(const Model& m, const value& inputs, const boost::json::object* params);
// text2text-generation, translation(_xx_to_yy), summarization on an encoder-decoder model
// (seq2seq.cpp); `task` as requested (T5's task_specific_params are keyed by it).
Result<value> run_seq2seq_task(const Model& m, std::string_view task, const value& inputs,
                               const boost::json::object* params);

}  // namespace hub::inference::pipelines
