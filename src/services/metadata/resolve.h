// library_name (PIPELINE_TAG.md section 4) and pipeline_tag (section 2) of a repo from its card
// fields, config.json and file list. Pure functions over parsed inputs: safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "services/metadata/card_fields.h"
#include "services/metadata/repo_files.h"
#include "services/metadata/transformers_arch.h"

namespace hub::services::metadata {

struct ResolveInputs {
  const CardFields& card;
  const RepoFiles& repo;
  const json::object* config = nullptr;          // parsed config.json
  const json::object* model_index = nullptr;     // parsed model_index.json
  const json::object* adapter_config = nullptr;  // parsed adapter_config.json
};

enum class PipelineSource { none, card, architecture, auto_map, tags, library_default };

struct PipelineResolution {
  std::optional<std::string> pipeline_tag;
  PipelineSource source = PipelineSource::none;
  // transformers only: the class looked up (architectures[0] or the auto_map class) and its match.
  std::string model_class;
  std::optional<ArchMatch> arch;
  std::string auto_map_class;  // custom class from config.auto_map for arch->auto_class, if any
};

// PIPELINE_TAG.md 4.4: a config.json with a non-empty `architectures` list or `model_type` is a
// Transformers checkpoint, whatever the repo's age (the Hub stopped applying this to repos made
// after 2024-08; hubd keeps it so a card-less push gets its widget and Inference API at once).
bool is_transformers_config(const json::object& config);

std::optional<std::string> resolve_library_name(const ResolveInputs& in, std::vector<std::string>& errors);
PipelineResolution resolve_pipeline_tag(const ResolveInputs& in, const std::optional<std::string>& library,
                                        std::vector<std::string>& errors);

// Helpers shared with tags.cpp.
bool path_has_suffix(std::string_view path, std::string_view suffix);
std::string_view path_basename(std::string_view path);

}  // namespace hub::services::metadata
