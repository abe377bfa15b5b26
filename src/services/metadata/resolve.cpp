#include "services/metadata/resolve.h"

#include <algorithm>

#include "services/metadata/libraries.h"
#include "services/metadata/pipeline_types.h"

namespace hub::services::metadata {

bool path_has_suffix(std::string_view path, std::string_view suffix) {
  return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
}

std::string_view path_basename(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

namespace {

bool has_root_file(const RepoFiles& repo, std::string_view name) {
  return std::any_of(repo.files.begin(), repo.files.end(), [&](const RepoFile& f) { return f.path == name; });
}

bool has_file_suffix(const RepoFiles& repo, std::string_view suffix) {
  return std::any_of(repo.files.begin(), repo.files.end(),
                     [&](const RepoFile& f) { return path_has_suffix(f.path, suffix); });
}

bool has_basename(const RepoFiles& repo, std::string_view name) {
  return std::any_of(repo.files.begin(), repo.files.end(),
                     [&](const RepoFile& f) { return path_basename(f.path) == name; });
}

bool has_tag(const CardFields& card, std::string_view tag) {
  return std::find(card.tags.begin(), card.tags.end(), tag) != card.tags.end();
}

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// PIPELINE_TAG.md 4.3, first match wins.
std::optional<std::string> library_from_files(const ResolveInputs& in) {
  const RepoFiles& repo = in.repo;
  if (has_root_file(repo, "config_sentence_transformers.json") || has_root_file(repo, "modules.json"))
    return "sentence-transformers";
  if (has_root_file(repo, "model_index.json") || has_root_file(repo, "modular_model_index.json")) return "diffusers";
  if (has_root_file(repo, "adapter_config.json"))
    return has_tag(in.card, "adapter-transformers") ? "adapter-transformers" : "peft";
  if (has_file_suffix(repo, ".nemo")) return "nemo";
  if (has_root_file(repo, "hyperparams.yaml")) return "speechbrain";
  if (has_basename(repo, "sklearn_model.joblib")) return "sklearn";
  if (has_root_file(repo, "gliner_config.json")) return "gliner";
  if (has_file_suffix(repo, ".keras")) return "keras";
  if (has_basename(repo, "saved_model.pb")) return "tf-keras";
  if (in.config && !in.config->contains("architectures") && json::get_string(*in.config, "architecture") &&
      in.config->contains("num_classes"))
    return "timm";
  if (has_file_suffix(repo, ".whl")) return "spacy";
  if (has_file_suffix(repo, ".sentis")) return "unity-sentis";
  return std::nullopt;
}

// Formats are tags, not library keys; they name the library only when nothing else does.
std::optional<std::string> library_from_formats(const RepoFiles& repo) {
  if (has_file_suffix(repo, ".gguf")) return "gguf";
  if (has_file_suffix(repo, ".mlmodel") ||
      std::any_of(repo.files.begin(), repo.files.end(),
                  [](const RepoFile& f) { return contains(f.path, ".mlpackage/"); }))
    return "coreml";
  if (has_file_suffix(repo, ".onnx")) return "onnx";
  return std::nullopt;
}

// Refines a transformers task with a more specific card tag (PIPELINE_TAG.md 2.2, impl), then
// maps the legacy text2text-generation to text-generation.
std::string refine(std::string_view raw, const CardFields& card) {
  auto first_tag_of = [&](std::initializer_list<std::string_view> wanted) -> std::optional<std::string> {
    for (const auto& t : card.tags)
      if (std::find(wanted.begin(), wanted.end(), t) != wanted.end()) return t;
    return std::nullopt;
  };
  if (raw == "text2text-generation") {
    if (auto t = first_tag_of({"translation", "summarization"})) return *t;
    return "text-generation";
  }
  if (raw == "text-classification" && has_tag(card, "zero-shot-classification")) return "zero-shot-classification";
  if (raw == "feature-extraction" && has_tag(card, "sentence-similarity")) return "sentence-similarity";
  if (raw == "text-to-audio" && has_tag(card, "text-to-speech")) return "text-to-speech";
  return std::string(raw);
}

// PIPELINE_TAG.md 2.4 (impl): the task of a diffusers pipeline class.
std::optional<std::string> diffusers_task(std::string_view cls) {
  if (cls.empty()) return std::nullopt;
  if (contains(cls, "Img2Img") || contains(cls, "Inpaint") || contains(cls, "ImageToImage") ||
      contains(cls, "InstructPix2Pix") || contains(cls, "Upscale"))
    return "image-to-image";
  if (contains(cls, "ImageToVideo") || contains(cls, "Img2Vid") || contains(cls, "VideoDiffusion"))
    return "image-to-video";
  if (contains(cls, "Video")) return "text-to-video";
  if (contains(cls, "Audio") || contains(cls, "Music")) return "text-to-audio";
  if (cls == "DDPMPipeline" || cls == "DDIMPipeline" || cls == "PNDMPipeline" || cls == "ScoreSdeVePipeline")
    return "unconditional-image-generation";
  if (path_has_suffix(cls, "Pipeline")) return "text-to-image";
  return std::nullopt;
}

std::optional<std::string> library_default(const ResolveInputs& in, std::string_view library) {
  if (library == "sentence-transformers") return "sentence-similarity";
  if (library == "timm") return "image-classification";
  if (library == "diffusers") {
    if (!in.model_index) return std::nullopt;
    return diffusers_task(json::get_string(*in.model_index, "_class_name").value_or(""));
  }
  if (library == "peft") {
    std::string base = in.card.base_models.empty() ? std::string() : in.card.base_models.front();
    if (base.empty() && in.adapter_config)
      base = std::string(json::get_string(*in.adapter_config, "base_model_name_or_path").value_or(""));
    if (!base.empty() && in.repo.base_model_pipeline_tag)
      if (auto tag = in.repo.base_model_pipeline_tag(base); tag && find_pipeline_type(*tag)) return tag;
    if (in.adapter_config && json::get_string(*in.adapter_config, "task_type") == "CAUSAL_LM")
      return "text-generation";
    return std::nullopt;
  }
  if (library == "gguf") return "text-generation";
  return std::nullopt;
}

// The custom class config.auto_map names for an auto class (string, or [class, tokenizer] list).
std::string auto_map_value(const json::object* auto_map, std::string_view auto_class) {
  if (!auto_map || auto_class.empty()) return {};
  const json::value* v = auto_map->if_contains(auto_class);
  if (!v) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (const auto* arr = v->if_array(); arr && !arr->empty() && (*arr)[0].is_string())
    return std::string((*arr)[0].get_string());
  return {};
}

}  // namespace

bool is_transformers_config(const json::object& config) {
  if (const json::array* archs = json::get_array(config, "architectures"); archs && !archs->empty())
    return true;
  auto model_type = json::get_string(config, "model_type");
  return model_type && !model_type->empty();
}

std::optional<std::string> resolve_library_name(const ResolveInputs& in, std::vector<std::string>& errors) {
  if (in.card.library_name) {
    if (find_library(*in.card.library_name)) return in.card.library_name;
    if (errors.size() < 64)
      errors.push_back("library_name: unknown library \"" + in.card.library_name->substr(0, 64) + "\"; ignored");
  }
  for (const auto& t : in.card.tags)
    if (find_library(t)) return t;
  if (auto lib = library_from_files(in)) return lib;
  if (in.config && is_transformers_config(*in.config)) return "transformers";
  return library_from_formats(in.repo);
}

PipelineResolution resolve_pipeline_tag(const ResolveInputs& in, const std::optional<std::string>& library,
                                        std::vector<std::string>& errors) {
  PipelineResolution r;
  // 1. The card's explicit value.
  if (in.card.pipeline_tag) {
    if (auto tag = normalize_card_pipeline_tag(*in.card.pipeline_tag)) {
      r.pipeline_tag = std::string(*tag);
      r.source = PipelineSource::card;
    } else if (errors.size() < 64) {
      errors.push_back("pipeline_tag: unknown task \"" + in.card.pipeline_tag->substr(0, 64) + "\"; ignored");
    }
  }
  // 2. transformers: architectures[0], else config.auto_map. Run even when the card decided, so
  // transformersInfo knows the auto class.
  if (library == "transformers" && in.config) {
    const json::object* auto_map = json::get_object(*in.config, "auto_map");
    if (const json::array* archs = json::get_array(*in.config, "architectures"); archs && !archs->empty()) {
      if (const auto* s = (*archs)[0].if_string(); s && s->size() <= 256) r.model_class = std::string(*s);
    }
    // Order: the generated table, then auto_map (explicit data from the repo), then the suffix
    // rules (a guess from the name) for classes neither knows.
    if (!r.model_class.empty()) r.arch = find_architecture(r.model_class);
    bool from_auto_map = false;
    if (!r.arch && auto_map) {
      // The most specific auto class wins; plain AutoModel only when it is the only one.
      for (const auto& [key, value] : *auto_map) {
        auto match = match_auto_class(key);
        if (!match) continue;
        bool plain = match->auto_class == "AutoModel";
        if (r.arch && plain) continue;
        r.arch = match;
        r.model_class = auto_map_value(auto_map, key);
        from_auto_map = true;
        if (!plain) break;
      }
    }
    if (!r.arch && !r.model_class.empty()) r.arch = match_architecture(r.model_class);
    if (r.arch) r.auto_map_class = auto_map_value(auto_map, r.arch->auto_class);
    if (!r.pipeline_tag && r.arch && !r.arch->raw_tag.empty()) {
      r.pipeline_tag = refine(r.arch->raw_tag, in.card);
      r.source = from_auto_map ? PipelineSource::auto_map : PipelineSource::architecture;
    }
  }
  if (r.pipeline_tag) return r;
  // 3. The first pipeline type, in declaration order, among the card's tags.
  std::optional<std::size_t> best;
  for (const auto& t : in.card.tags)
    if (auto rank = pipeline_type_rank(t); rank && (!best || *rank < *best)) best = rank;
  if (best) {
    r.pipeline_tag = std::string(pipeline_types()[*best].id);
    r.source = PipelineSource::tags;
    return r;
  }
  // 4. Library defaults.
  if (library) {
    if (auto tag = library_default(in, *library)) {
      r.pipeline_tag = std::move(tag);
      r.source = PipelineSource::library_default;
    }
  }
  return r;
}

}  // namespace hub::services::metadata
