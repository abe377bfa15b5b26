#include "inference/pipelines/pipeline.h"

#include <exception>
#include <new>

#include "inference/models/decoder.h"
#include "inference/pipelines/generation.h"
#include "inference/pipelines/tasks.h"

namespace hub::inference::pipelines {

std::vector<std::string_view> supported_tasks() {
  return {"text-classification", "fill-mask", "token-classification", "question-answering",
          "feature-extraction", "sentence-similarity", "text-generation"};
}

Result<boost::json::value> run_task(const Model& model, std::string_view task,
                                    const boost::json::value& inputs,
                                    const boost::json::value& parameters) {
  const boost::json::object* params = parameters.is_object() ? &parameters.get_object() : nullptr;
  if (!parameters.is_null() && !params)
    return fail(Errc::invalid_argument, "`parameters` must be an object");
  try {
    if (const CausalLM* lm = model.causal_lm()) {
      if (task == "text-generation") return run_generation_task(*lm, task, inputs, parameters);
      return fail(Errc::unsupported, "A text-generation model cannot serve the task `" + std::string(task) + "`");
    }
    if (task == "text-generation")
      return fail(Errc::unsupported, "The task `text-generation` needs a decoder model (Llama, GPT-2, ...)");
    if (task == "text-classification" || task == "sentiment-analysis")
      return text_classification(model, inputs, params);
    if (task == "fill-mask") return fill_mask(model, inputs, params);
    if (task == "token-classification" || task == "ner") return token_classification(model, inputs, params);
    if (task == "question-answering") return question_answering(model, inputs, params);
    if (task == "feature-extraction") return feature_extraction(model, inputs, params);
    if (task == "sentence-similarity") return sentence_similarity(model, inputs, params);
  } catch (const std::bad_alloc&) {
    return fail(Errc::too_large, "out of memory");
  } catch (const std::exception& e) {
    return fail(Errc::internal, e.what());
  }
  return fail(Errc::unsupported, "The task `" + std::string(task) + "` is not supported by this engine");
}

}  // namespace hub::inference::pipelines
