// text2text-generation, translation and summarization on an encoder-decoder model, as
// transformers' Text2TextGenerationPipeline / TranslationPipeline / SummarizationPipeline run:
// the task's task_specific_params (T5: prefix, num_beams, max_length, ...) over the model's
// generation defaults, the request's parameters over both, `prefix + text` encoded with the
// tokenizer's special tokens, output decoded with special tokens skipped.
#include <string>

#include "inference/models/seq2seq.h"
#include "inference/pipelines/seq2seq_generate.h"
#include "inference/pipelines/tasks.h"
#include "inference/tokenizers/tokenizer.h"

namespace hub::inference::pipelines {

namespace {

// The task_specific_params key a request runs under: "translation" alone takes the model's
// first translation_* entry (as transformers' pipeline() does); src_lang/tgt_lang pick
// translation_{src}_to_{tgt} when the model has it.
std::string task_key(std::string_view task, const boost::json::object* tsp, const boost::json::object* params) {
  if (task != "translation" || !tsp) return std::string(task);
  if (params) {
    auto src = json::get_string(*params, "src_lang"), tgt = json::get_string(*params, "tgt_lang");
    if (src && tgt) {
      std::string key = "translation_" + std::string(*src) + "_to_" + std::string(*tgt);
      if (tsp->contains(key)) return key;
    }
  }
  for (const auto& [k, v] : *tsp)
    if (std::string_view(k).starts_with("translation")) return std::string(k);
  return std::string(task);
}

std::string_view output_field(std::string_view task) {
  if (task.starts_with("translation")) return "translation_text";
  if (task == "summarization") return "summary_text";
  return "generated_text";
}

}  // namespace

Result<value> run_seq2seq_task(const Model& m, std::string_view task, const value& inputs,
                               const boost::json::object* params) {
  const Seq2SeqLM* lm = m.seq2seq();
  if (!lm) return fail(Errc::unsupported, "The task `" + std::string(task) + "` needs an encoder-decoder model");
  const tokenizers::Tokenizer* tok = lm->tokenizer();
  if (!tok) return fail(Errc::unsupported, "this model has no tokenizer.json");
  std::vector<std::string> texts;
  if (inputs.is_string()) {
    texts.emplace_back(inputs.get_string());
  } else if (inputs.is_array() && !inputs.get_array().empty()) {
    for (const auto& v : inputs.get_array()) {
      if (!v.is_string()) return fail(Errc::invalid_argument, "`inputs` must be a string or a list of strings");
      texts.emplace_back(v.get_string());
    }
  } else {
    return fail(Errc::invalid_argument, "`inputs` must be a string or a non-empty list of strings");
  }

  const auto& cfg = lm->config().raw;
  const auto* tsp = json::get_object(cfg, "task_specific_params");
  const std::string key = task_key(task, tsp, params);
  HUB_TRY(p, seq2seq_defaults(*lm));
  std::string prefix(json::get_string(cfg, "prefix").value_or(""));
  if (const auto* tp = tsp ? json::get_object(*tsp, key) : nullptr) {
    if (auto pre = json::get_string(*tp, "prefix")) prefix = std::string(*pre);
    if (auto ok = apply_generation_fields(p, *tp, lm->config().vocab_size); !ok)
      return fail(Errc::corrupt, "config.json task_specific_params." + key + ": " + ok.error().message);
  }
  if (params) {
    // Flat generate() keywords, or the Inference API's nested `generate_parameters`.
    if (auto ok = apply_generation_fields(p, *params, lm->config().vocab_size); !ok) return std::unexpected(ok.error());
    if (const auto* v = params->if_contains("generate_parameters"); v && !v->is_null()) {
      if (!v->is_object()) return fail(Errc::invalid_argument, "`generate_parameters` must be an object");
      if (auto ok = apply_generation_fields(p, v->get_object(), lm->config().vocab_size); !ok)
        return std::unexpected(ok.error());
    }
  }

  const std::string field(output_field(key));
  boost::json::array out;
  std::vector<std::vector<int32_t>> sources;
  for (const auto& text : texts) {
    HUB_TRY(enc, tok->encode(prefix + text, true));
    sources.push_back(std::move(enc.ids));
  }
  // A list (several requests merged by the scheduler) decodes together.
  HUB_TRY(outputs, seq2seq_generate_batch(*lm, sources, p));
  for (const auto& ids : outputs) {
    HUB_TRY(decoded, tok->decode(ids, true));
    out.push_back(boost::json::object{{field, decoded}});
  }
  return value(std::move(out));
}

}  // namespace hub::inference::pipelines
