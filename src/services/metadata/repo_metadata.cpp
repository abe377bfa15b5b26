#include "services/metadata/repo_metadata.h"

#include <algorithm>

#include "services/metadata/dataset_tags.h"
#include "services/metadata/libraries.h"
#include "services/metadata/pipeline_types.h"
#include "services/metadata/tags.h"
#include "services/metadata/widgets.h"

namespace hub::services::metadata {
namespace {

void add_error(std::vector<std::string>& errors, std::string message) {
  if (errors.size() < 128) errors.push_back(std::move(message));
}

// Parses one of the repo's JSON files; problems are reported and the file is treated as absent.
std::optional<json::object> parse_json_file(const std::optional<std::string_view>& text, std::string_view name,
                                            const MetadataLimits& limits, std::vector<std::string>& errors) {
  if (!text) return std::nullopt;
  if (text->size() > limits.max_json_file_bytes) {
    add_error(errors, std::string(name) + ": larger than " + std::to_string(limits.max_json_file_bytes) +
                          " bytes; ignored");
    return std::nullopt;
  }
  auto v = json::parse(*text);
  if (!v) {
    add_error(errors, std::string(name) + ": " + v.error().message);
    return std::nullopt;
  }
  if (auto* o = v->if_object()) return std::move(*o);
  add_error(errors, std::string(name) + ": not a JSON object; ignored");
  return std::nullopt;
}

bool has_file(const RepoFiles& repo, std::string_view path) {
  return std::any_of(repo.files.begin(), repo.files.end(), [&](const RepoFile& f) { return f.path == path; });
}

// A special token in tokenizer_config.json is a string or an AddedToken object with `content`.
std::optional<std::string> token_text(const json::object& tc, std::string_view key) {
  const json::value* v = tc.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_string()) return std::string(v->get_string());
  if (const auto* o = v->if_object())
    if (auto c = json::get_string(*o, "content")) return std::string(*c);
  return std::nullopt;
}

json::object config_subset(const json::object* config, const json::object* tokenizer_config,
                           const json::object* model_index, const MetadataLimits& limits) {
  json::object out;
  if (config) {
    if (const json::array* archs = json::get_array(*config, "architectures")) {
      json::array names;
      for (const auto& a : *archs)
        if (a.is_string() && a.get_string().size() <= 256 && names.size() < 16) names.push_back(a);
      out["architectures"] = std::move(names);
    }
    if (auto mt = json::get_string(*config, "model_type"); mt && mt->size() <= 128) out["model_type"] = *mt;
    if (const json::object* am = json::get_object(*config, "auto_map")) {
      json::object auto_map;
      for (const auto& [k, v] : *am)
        if ((v.is_string() || v.is_array()) && auto_map.size() < 32) auto_map[k] = v;
      out["auto_map"] = std::move(auto_map);
    }
    if (const json::object* q = json::get_object(*config, "quantization_config")) {
      json::object quant;
      for (std::string_view k : {"quant_method", "bits", "load_in_4bit", "load_in_8bit"})
        if (const json::value* v = q->if_contains(k); v && !v->is_structured()) quant[k] = *v;
      out["quantization_config"] = std::move(quant);
    }
  }
  if (tokenizer_config) {
    json::object tc;
    for (std::string_view k : {"bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token",
                               "mask_token"})
      if (auto t = token_text(*tokenizer_config, k); t && t->size() <= 256) tc[k] = *t;
    if (const json::value* ct = tokenizer_config->if_contains("chat_template");
        ct && (ct->is_string() || ct->is_array()) && json::serialize(*ct).size() <= limits.max_chat_template_bytes)
      tc["chat_template"] = *ct;
    if (auto b = json::get_bool(*tokenizer_config, "use_default_system_prompt")) tc["use_default_system_prompt"] = *b;
    out["tokenizer_config"] = std::move(tc);
  }
  if (model_index)
    if (auto cls = json::get_string(*model_index, "_class_name"); cls && cls->size() <= 256)
      out["diffusers"] = json::object{{"_class_name", *cls}};
  return out;
}

// (impl) Which preprocessing class loads this repo, from the files it ships.
std::string processor_for(const RepoFiles& repo, const std::optional<std::string>& pipeline_tag) {
  bool tokenizer = false, preprocessor = false;
  for (const auto& f : repo.files) {
    std::string_view b = path_basename(f.path);
    if (b != f.path) continue;  // root files only
    if (b == "tokenizer.json" || b == "tokenizer_config.json" || b == "vocab.txt" || b == "vocab.json" ||
        b == "spiece.model" || b == "tokenizer.model" || b == "sentencepiece.bpe.model")
      tokenizer = true;
    if (b == "preprocessor_config.json" || b == "processor_config.json") preprocessor = true;
  }
  if (tokenizer && preprocessor) return "AutoProcessor";
  if (preprocessor) {
    const PipelineType* t = pipeline_tag ? find_pipeline_type(*pipeline_tag) : nullptr;
    return t && t->modality == Modality::audio ? "AutoFeatureExtractor" : "AutoImageProcessor";
  }
  return "AutoTokenizer";
}

std::optional<std::string> infer_relation(const RepoFiles& repo, const CardFields& f) {
  static constexpr std::string_view kRelations[] = {"adapter", "merge", "quantized", "finetune"};
  if (f.base_model_relation &&
      std::find(std::begin(kRelations), std::end(kRelations), *f.base_model_relation) != std::end(kRelations))
    return f.base_model_relation;
  if (f.base_models.empty()) return std::nullopt;
  if (has_file(repo, "adapter_config.json")) return "adapter";
  if (f.base_models.size() > 1) return "merge";
  if (std::any_of(repo.files.begin(), repo.files.end(),
                  [](const RepoFile& x) { return path_has_suffix(x.path, ".gguf"); }))
    return "quantized";
  return "finetune";
}

}  // namespace

std::string_view pipeline_source_name(PipelineSource s) {
  switch (s) {
    case PipelineSource::none: return "none";
    case PipelineSource::card: return "card";
    case PipelineSource::architecture: return "architecture";
    case PipelineSource::auto_map: return "auto_map";
    case PipelineSource::tags: return "tags";
    case PipelineSource::library_default: return "library_default";
  }
  return "none";
}

RepoMetadata build_repo_metadata(const RepoFiles& repo, const MetadataLimits& limits) {
  RepoMetadata md;
  if (repo.readme) md.card = parse_model_card(*repo.readme, limits.card);
  md.errors = md.card.errors;
  md.fields = read_card_fields(md.card.data, md.errors, limits.fields);
  if (repo.repo_type == "dataset") {  // no task or library inference: datasets are data
    md.tags = derive_dataset_tags(md.fields, repo);
    return md;
  }

  auto config = parse_json_file(repo.config_json, "config.json", limits, md.errors);
  auto tokenizer_config = parse_json_file(repo.tokenizer_config_json, "tokenizer_config.json", limits, md.errors);
  auto model_index = parse_json_file(repo.model_index_json, "model_index.json", limits, md.errors);
  auto adapter_config = parse_json_file(repo.adapter_config_json, "adapter_config.json", limits, md.errors);

  ResolveInputs in{md.fields, repo, config ? &*config : nullptr, model_index ? &*model_index : nullptr,
                   adapter_config ? &*adapter_config : nullptr};
  md.library_name = resolve_library_name(in, md.errors);
  PipelineResolution pr = resolve_pipeline_tag(in, md.library_name, md.errors);
  md.pipeline_tag = pr.pipeline_tag;
  md.pipeline_source = pr.source;

  if (md.library_name == "transformers" && pr.arch && !pr.arch->auto_class.empty()) {
    TransformersInfo ti;
    ti.auto_model = std::string(pr.arch->auto_class);
    ti.pipeline_tag = md.pipeline_tag.value_or("");
    ti.processor = processor_for(repo, md.pipeline_tag);
    ti.custom_class = pr.auto_map_class;
    md.transformers_info = std::move(ti);
  }

  md.mask_token = md.fields.mask_token;
  if (!md.mask_token && tokenizer_config) md.mask_token = token_text(*tokenizer_config, "mask_token");
  md.base_model_relation = infer_relation(repo, md.fields);
  md.config = config_subset(config ? &*config : nullptr, tokenizer_config ? &*tokenizer_config : nullptr,
                            model_index ? &*model_index : nullptr, limits);

  bool conversational = has_chat_template(repo, tokenizer_config ? &*tokenizer_config : nullptr);
  md.inference_disabled = md.fields.inference_disabled;
  md.widget_data =
      widget_data(md.fields.widget, md.pipeline_tag, md.mask_token, conversational, md.fields.languages);
  md.serverless_servable = !md.inference_disabled && md.pipeline_tag && md.library_name &&
                           library_serves_task(*md.library_name, *md.pipeline_tag);

  md.tags = derive_tags(TagInputs{md.fields, repo, config ? &*config : nullptr,
                                  tokenizer_config ? &*tokenizer_config : nullptr, md.library_name,
                                  md.pipeline_tag, md.base_model_relation, md.card.body});
  return md;
}

json::object to_api_json(const RepoMetadata& md) {
  json::object out;
  if (md.pipeline_tag) out["pipeline_tag"] = *md.pipeline_tag;
  if (md.library_name) out["library_name"] = *md.library_name;
  json::array tags;
  for (const auto& t : md.tags) tags.push_back(json::value(t));
  out["tags"] = std::move(tags);
  if (md.card.has_front_matter) out["cardData"] = md.card.data;
  if (!md.config.empty()) out["config"] = md.config;
  if (md.transformers_info) {
    const auto& ti = *md.transformers_info;
    json::object info{{"auto_model", ti.auto_model}, {"processor", ti.processor}};
    if (!ti.pipeline_tag.empty()) info["pipeline_tag"] = ti.pipeline_tag;
    if (!ti.custom_class.empty()) info["custom_class"] = ti.custom_class;
    out["transformersInfo"] = std::move(info);
  }
  if (!md.fields.model_index.empty()) out["model-index"] = model_index_to_json(md.fields.model_index);
  if (!md.widget_data.empty()) out["widgetData"] = md.widget_data;
  if (md.mask_token) out["mask_token"] = *md.mask_token;
  return out;
}

}  // namespace hub::services::metadata
