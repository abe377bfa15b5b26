// The Hub's task taxonomy: the 57 pipeline types in declaration order (order decides which card
// tag wins, PIPELINE_TAG.md section 1), their labels and modalities, subtasks, and the data for
// GET /api/models-tags-by-type. Tables are generated from @huggingface/tasks (see README.md).
// Immutable static data: safe from any thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/json.h"

namespace hub::services::metadata {

enum class Modality { nlp, audio, cv, multimodal, rl, tabular, other };

struct PipelineType {
  std::string_view id;     // "text-classification"
  std::string_view label;  // "Text Classification"
  Modality modality;
  bool hide_in_models;
  bool hide_in_datasets;
};

struct SubTask {
  std::string_view id;      // "sentiment-analysis"
  std::string_view label;
  std::string_view parent;  // pipeline type id
};

std::span<const PipelineType> pipeline_types();
std::span<const SubTask> subtasks();
const PipelineType* find_pipeline_type(std::string_view id);
// Position in declaration order, for "first type among the tags" (PIPELINE_TAG.md section 2.3).
std::optional<std::size_t> pipeline_type_rank(std::string_view id);

std::string_view modality_id(Modality m);     // "nlp"
std::string_view modality_label(Modality m);  // "Natural Language Processing"

// A card's `pipeline_tag` value as the Hub keeps it: known types as is, legacy
// text2text-generation / conversational -> text-generation, anything else nullopt.
std::optional<std::string_view> normalize_card_pipeline_tag(std::string_view value);

// GET /api/models-tags-by-type: {type: [{id, label, type[, subType]}]}. pipeline_tag and library
// list every known value; language, license, dataset, region and other list the tags seen on
// repos (`observed_tags`, e.g. the union of all repos' tags; `languages` the language codes).
json::object models_tags_by_type(std::span<const std::string> observed_tags,
                                 std::span<const std::string> languages);

}  // namespace hub::services::metadata
