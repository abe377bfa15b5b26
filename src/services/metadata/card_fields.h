// Typed fields of a model card's cardData (PIPELINE_TAG.md section 6), read tolerantly: a field of
// the wrong type (`tags: 5`, `language: {a: b}`) is skipped and reported in `errors`, never fatal.
// Also parses `model-index` into eval results. Pure functions: safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/json.h"

namespace hub::services::metadata {

struct EvalMetric {
  std::string type;   // required
  json::value value;  // required: number or string
  std::string name;
};

struct EvalResult {
  std::string task_type;  // required
  std::string task_name;
  std::string dataset_type;  // required
  std::string dataset_name;  // required
  std::string dataset_config;
  std::string dataset_split;
  std::vector<EvalMetric> metrics;  // at least one
  std::string source_name;
  std::string source_url;
};

struct ModelIndexEntry {
  std::string name;
  std::vector<EvalResult> results;
};

struct CardFields {
  std::optional<std::string> pipeline_tag;  // as written; validated by the resolver
  std::optional<std::string> library_name;
  std::vector<std::string> tags;            // declaration order, strings only
  std::vector<std::string> languages;
  std::vector<std::string> licenses;
  std::optional<std::string> license_name;
  std::optional<std::string> license_link;
  std::vector<std::string> datasets;
  std::vector<std::string> metrics;
  std::vector<std::string> base_models;
  std::optional<std::string> base_model_relation;  // adapter, merge, quantized, finetune
  std::optional<std::string> new_version;
  std::optional<std::string> mask_token;
  bool inference_disabled = false;  // `inference: false`
  json::object inference_parameters;  // `inference: {parameters: {...}}`
  json::array widget;                 // examples that are objects
  std::vector<ModelIndexEntry> model_index;
  // Dataset cards' classification lists (kDatasetCardLists order, non-empty ones only): each
  // value becomes a "<key>:<value>" tag on a dataset repo.
  std::vector<std::pair<std::string, std::vector<std::string>>> dataset_lists;
};

// task_categories, task_ids, annotations_creators, language_creators, multilinguality,
// source_datasets, size_categories: the order of the Hub's dataset tags.
inline constexpr std::string_view kDatasetCardLists[] = {
    "task_categories",  "task_ids",        "annotations_creators", "language_creators",
    "multilinguality", "source_datasets", "size_categories"};

struct CardFieldLimits {
  std::size_t max_list_items = 256;   // per list field (tags, languages, datasets, ...)
  std::size_t max_string_bytes = 256; // per tag-like string; longer ones are skipped
  std::size_t max_widget_examples = 64;
  std::size_t max_model_index_results = 1024;  // over all entries
};

CardFields read_card_fields(const json::object& card_data, std::vector<std::string>& errors,
                            const CardFieldLimits& limits = {});

// model-index back to the card's JSON shape (only the parsed, valid parts).
json::array model_index_to_json(const std::vector<ModelIndexEntry>& entries);

// An absolute http:// or https:// URL of plain printable ASCII: safe to put in an href (no
// javascript:, data:, or whitespace tricks). Links taken from cards are shown only if this holds.
bool is_http_url(std::string_view url);

}  // namespace hub::services::metadata
