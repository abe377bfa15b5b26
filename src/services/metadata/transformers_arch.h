// transformers model class -> pipeline_tag (PIPELINE_TAG.md section 3): the shipped table generated
// from transformers' MODEL_FOR_*_MAPPING_NAMES (tools/gen_transformers_table.py), then suffix
// rules for classes the table does not know, and the auto-class table for config.auto_map.
// Immutable static data: safe from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace hub::services::metadata {

struct ArchMatch {
  // Raw tag: may be "text2text-generation" (the caller refines, then maps it to text-generation)
  // or empty when the class is known but has no Hub task (e.g. *ForPreTraining).
  std::string_view raw_tag;
  std::string_view auto_class;  // "AutoModelForCausalLM"; empty from suffix rules that lack one
  bool from_table = false;      // false: matched by a suffix rule
};

// Table lookup, then suffix rules; nullopt when neither knows the class.
std::optional<ArchMatch> match_architecture(std::string_view model_class);
// Table lookup only.
std::optional<ArchMatch> find_architecture(std::string_view model_class);
// config.auto_map keys: "AutoModelForCausalLM" -> {raw tag "text-generation", auto class}. The
// returned views point into the static table.
std::optional<ArchMatch> match_auto_class(std::string_view auto_class);

}  // namespace hub::services::metadata
