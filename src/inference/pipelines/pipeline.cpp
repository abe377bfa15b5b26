#include "inference/pipelines/pipeline.h"

#include <exception>
#include <new>

#include "inference/models/decoder.h"
#include "inference/models/tasks.h"
#include "inference/pipelines/generation.h"
#include "inference/pipelines/tasks.h"

namespace hub::inference::pipelines {

namespace {
using TaskFn = Result<value> (*)(const Model&, const value&, const boost::json::object*);

// A list of inputs for a task whose pipeline takes one: one answer per element, in order, as
// transformers' pipelines answer. fill-mask and question-answering give a one-element list
// the single answer (their __call__ unwraps it); token-classification keeps the list.
Result<value> each_input(TaskFn fn, const Model& m, const boost::json::array& inputs,
                         const boost::json::object* params, bool unwrap_one) {
  if (inputs.empty()) return fail(Errc::invalid_argument, "`inputs` must not be an empty list");
  boost::json::array out;
  for (const auto& in : inputs) {
    if (in.is_array()) return fail(Errc::invalid_argument, "`inputs` must not nest lists");
    HUB_TRY(r, fn(m, in, params));
    out.push_back(std::move(r));
  }
  if (unwrap_one && out.size() == 1) return value(std::move(out[0]));
  return value(std::move(out));
}
}  // namespace

std::vector<std::string_view> supported_tasks() { return engine_tasks(); }

Result<boost::json::value> run_task(const Model& model, std::string_view requested,
                                    const boost::json::value& inputs,
                                    const boost::json::value& parameters) {
  const boost::json::object* params = parameters.is_object() ? &parameters.get_object() : nullptr;
  if (!parameters.is_null() && !params)
    return fail(Errc::invalid_argument, "`parameters` must be an object");
  // "sentence-similarity" stays itself here (its inputs decide below); other aliases resolve.
  std::string_view task = requested == "sentence-similarity" ? requested : engine_task_for(requested);
  if (task.empty())
    return fail(Errc::unsupported, "The task `" + std::string(requested) + "` is not supported by this engine");
  const ModelKind kind = model.config().kind;
  if (!kind_serves(kind, task)) {
    if (kind == ModelKind::decoder)
      return fail(Errc::unsupported, "A text-generation model cannot serve the task `" + std::string(requested) + "`");
    if (task == "text-generation")
      return fail(Errc::unsupported, "The task `text-generation` needs a decoder model (Llama, GPT-2, ...)");
    return fail(Errc::unsupported, "A " + std::string(kind_name(kind)) + " model cannot serve the task `" +
                                       std::string(requested) + "`");
  }
  try {
    switch (kind) {
      case ModelKind::decoder: return run_generation_task(*model.causal_lm(), task, inputs, parameters);
      case ModelKind::encoder_decoder: return run_seq2seq_task(model, requested, inputs, params);
      case ModelKind::encoder: break;
      default: return fail(Errc::unsupported, "no pipeline for this kind of model yet");
    }
    if (task == "text-classification") return text_classification(model, inputs, params);
    if (task == "fill-mask") {
      if (inputs.is_array()) return each_input(fill_mask, model, inputs.get_array(), params, true);
      return fill_mask(model, inputs, params);
    }
    if (task == "token-classification") {
      if (inputs.is_array()) return each_input(token_classification, model, inputs.get_array(), params, false);
      return token_classification(model, inputs, params);
    }
    if (task == "question-answering") {
      if (inputs.is_array()) return each_input(question_answering, model, inputs.get_array(), params, true);
      return question_answering(model, inputs, params);
    }
    // The API runs sentence-similarity models under "feature-extraction" (they serve both);
    // the {source_sentence, sentences} input says which one the caller meant.
    if (task == "sentence-similarity" ||
        (task == "feature-extraction" && inputs.is_object() && inputs.get_object().contains("source_sentence")))
      return sentence_similarity(model, inputs, params);
    if (task == "feature-extraction") return feature_extraction(model, inputs, params);
    if (task == "zero-shot-classification") return zero_shot_classification(model, inputs, params);
  } catch (const std::bad_alloc&) {
    return fail(Errc::too_large, "out of memory");
  } catch (const std::exception& e) {
    return fail(Errc::internal, e.what());
  }
  return fail(Errc::unsupported, "The task `" + std::string(requested) + "` is not supported by this engine");
}

}  // namespace hub::inference::pipelines
