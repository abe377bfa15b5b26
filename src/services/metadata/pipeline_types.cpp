#include "services/metadata/pipeline_types.h"

#include <algorithm>
#include <set>

#include "services/metadata/libraries.h"

namespace hub::services::metadata {
namespace {

constexpr PipelineType kPipelineTypes[] = {
#include "services/metadata/generated/pipeline_type_rows.inc"
};

constexpr SubTask kSubTasks[] = {
#include "services/metadata/generated/subtask_rows.inc"
};

// File formats and frameworks the Hub files under "library" in tags-by-type (impl: the tags
// this module derives from files, see tags.cpp).
constexpr Library kFormatTags[] = {
    {"pytorch", "PyTorch"}, {"tf", "TensorFlow"},  {"jax", "JAX"},     {"safetensors", "Safetensors"},
    {"gguf", "GGUF"},       {"onnx", "ONNX"},      {"coreml", "Core ML"}, {"tensorboard", "TensorBoard"},
};

json::object tag_entry(std::string_view id, std::string_view label, std::string_view type) {
  json::object o;
  o["id"] = id;
  o["label"] = label;
  o["type"] = type;
  return o;
}

bool has_prefix(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

std::span<const PipelineType> pipeline_types() { return kPipelineTypes; }
std::span<const SubTask> subtasks() { return kSubTasks; }

const PipelineType* find_pipeline_type(std::string_view id) {
  for (const auto& t : kPipelineTypes)
    if (t.id == id) return &t;
  return nullptr;
}

std::optional<std::size_t> pipeline_type_rank(std::string_view id) {
  for (std::size_t i = 0; i < std::size(kPipelineTypes); ++i)
    if (kPipelineTypes[i].id == id) return i;
  return std::nullopt;
}

std::string_view modality_id(Modality m) {
  switch (m) {
    case Modality::nlp: return "nlp";
    case Modality::audio: return "audio";
    case Modality::cv: return "cv";
    case Modality::multimodal: return "multimodal";
    case Modality::rl: return "rl";
    case Modality::tabular: return "tabular";
    case Modality::other: return "other";
  }
  return "other";
}

std::string_view modality_label(Modality m) {
  switch (m) {
    case Modality::nlp: return "Natural Language Processing";
    case Modality::audio: return "Audio";
    case Modality::cv: return "Computer Vision";
    case Modality::multimodal: return "Multimodal";
    case Modality::rl: return "Reinforcement Learning";
    case Modality::tabular: return "Tabular";
    case Modality::other: return "Other";
  }
  return "Other";
}

std::optional<std::string_view> normalize_card_pipeline_tag(std::string_view value) {
  if (value == "text2text-generation" || value == "conversational") return "text-generation";
  if (const auto* t = find_pipeline_type(value)) return t->id;
  return std::nullopt;
}

json::object models_tags_by_type(std::span<const std::string> observed_tags,
                                 std::span<const std::string> languages) {
  json::object out;
  json::array pipelines;
  for (const auto& t : kPipelineTypes) {
    if (t.hide_in_models) continue;
    json::object e = tag_entry(t.id, t.label, "pipeline_tag");
    e["subType"] = modality_id(t.modality);
    pipelines.push_back(std::move(e));
  }
  out["pipeline_tag"] = std::move(pipelines);

  json::array libs;
  for (const auto& l : libraries()) libs.push_back(tag_entry(l.key, l.label, "library"));
  for (const auto& l : kFormatTags) libs.push_back(tag_entry(l.key, l.label, "library"));
  out["library"] = std::move(libs);

  // Observed tags, sorted and de-duplicated per type.
  std::set<std::string> language_set(languages.begin(), languages.end());
  std::set<std::pair<std::string, std::string>> licenses, datasets, regions, others;
  for (const auto& tag : observed_tags) {
    std::string_view t = tag;
    if (t.empty() || t.size() > 200) continue;
    if (has_prefix(t, "license:")) licenses.emplace(t, t.substr(8));
    else if (has_prefix(t, "dataset:")) datasets.emplace(t, t.substr(8));
    else if (has_prefix(t, "region:")) regions.emplace(t, t.substr(7));
    else if (has_prefix(t, "arxiv:") || has_prefix(t, "doi:") || has_prefix(t, "base_model:") ||
             has_prefix(t, "language:"))
      continue;  // per-repo references, not filter categories
    else if (language_set.count(tag) || find_pipeline_type(t) || find_library(t)) continue;
    else if (std::any_of(std::begin(kFormatTags), std::end(kFormatTags),
                         [&](const Library& l) { return l.key == t; }))
      continue;
    else others.emplace(t, t);
  }
  auto emit = [&](const auto& set, std::string_view type) {
    json::array arr;
    for (const auto& [id, label] : set) arr.push_back(tag_entry(id, label, type));
    out[type] = std::move(arr);
  };
  json::array langs;
  for (const auto& l : language_set)
    if (!l.empty() && l.size() <= 32) langs.push_back(tag_entry(l, l, "language"));
  out["language"] = std::move(langs);
  emit(licenses, "license");
  emit(datasets, "dataset");
  emit(regions, "region");
  emit(others, "other");
  return out;
}

}  // namespace hub::services::metadata
