// Entry point of metadata indexing: RepoFiles (README, config.json, ... and the file list of a
// commit) -> RepoMetadata (cardData, pipeline_tag, library_name, tags, config subset,
// transformersInfo, eval results, widget data). Rules: docs/PIPELINE_TAG.md. Never fails: problems
// in untrusted files become `errors` and indexing keeps what it could read.
// Pure function of its inputs (plus the optional base-model callback): safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "services/metadata/card_fields.h"
#include "services/metadata/model_card.h"
#include "services/metadata/repo_files.h"
#include "services/metadata/resolve.h"

namespace hub::services::metadata {

struct TransformersInfo {
  std::string auto_model;    // "AutoModelForCausalLM"
  std::string pipeline_tag;  // empty if none
  std::string processor;     // "AutoTokenizer", "AutoProcessor", "AutoImageProcessor", ...
  std::string custom_class;  // from config.auto_map, empty if none
};

struct RepoMetadata {
  ModelCard card;                          // cardData (card.data), Markdown body, card errors
  CardFields fields;                       // typed card fields
  std::optional<std::string> pipeline_tag;
  PipelineSource pipeline_source = PipelineSource::none;
  std::optional<std::string> library_name;
  std::vector<std::string> tags;
  json::object config;                     // API `config` subset (+ tokenizer_config)
  std::optional<TransformersInfo> transformers_info;
  std::optional<std::string> mask_token;   // card, else tokenizer_config
  std::optional<std::string> base_model_relation;  // card, else inferred (impl)
  json::array widget_data;                 // card examples, else the task's defaults
  bool inference_disabled = false;         // cardData.inference == false
  bool serverless_servable = false;        // (library, pipeline_tag) listed in library-to-tasks
  std::vector<std::string> errors;         // every problem found, card errors first
};

struct MetadataLimits {
  CardLimits card;
  CardFieldLimits fields;
  std::size_t max_json_file_bytes = 4 * 1024 * 1024;  // config.json & co. larger are skipped
  std::size_t max_chat_template_bytes = 64 * 1024;    // longer templates stay out of `config`
};

RepoMetadata build_repo_metadata(const RepoFiles& repo, const MetadataLimits& limits = {});

// The metadata fields of GET /api/models/{id}: pipeline_tag and library_name (omitted when
// unknown), tags, cardData, config, transformersInfo, model-index, widgetData, mask_token.
json::object to_api_json(const RepoMetadata& md);

std::string_view pipeline_source_name(PipelineSource s);

}  // namespace hub::services::metadata
