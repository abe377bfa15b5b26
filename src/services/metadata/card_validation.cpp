#include "services/metadata/card_validation.h"

#include "core/json.h"
#include "services/metadata/model_card.h"

namespace hub::services::metadata {

namespace {

// model-index: a list of entries, each a mapping whose `results` (required) is a list of
// mappings with a `task` mapping, as the Hub's schema demands. Messages name the path.
void check_model_index(const json::value& mi, std::vector<std::string>& errors) {
  if (!mi.is_array()) {
    errors.push_back("\"model-index\" must be an array");
    return;
  }
  const auto& arr = mi.as_array();
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string at = "\"model-index[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) {
      errors.push_back(at + "\" must be of type object");
      continue;
    }
    const auto& entry = arr[i].as_object();
    if (auto* n = entry.if_contains("name"); n && !n->is_string()) errors.push_back(at + ".name\" must be a string");
    auto* results = entry.if_contains("results");
    if (!results) {
      errors.push_back(at + ".results\" is required");
      continue;
    }
    if (!results->is_array()) {
      errors.push_back(at + ".results\" must be an array");
      continue;
    }
    const auto& rs = results->as_array();
    for (size_t j = 0; j < rs.size(); ++j) {
      std::string rat = at + ".results[" + std::to_string(j) + "]";
      if (!rs[j].is_object()) {
        errors.push_back(rat + "\" must be of type object");
        continue;
      }
      auto* task = rs[j].as_object().if_contains("task");
      if (!task || !task->is_object()) errors.push_back(rat + ".task\" must be of type object");
    }
  }
}

}  // namespace

CardValidation validate_card(std::string_view readme) {
  CardValidation out;
  CardLimits limits;
  std::string text = sanitize_utf8(readme);
  std::string_view view = text;
  if (view.starts_with("\xEF\xBB\xBF")) view.remove_prefix(3);
  auto split = split_front_matter(view);
  if (split.unterminated) out.warnings.push_back("Front matter opened with --- but never closed");
  if (!split.found) {
    out.warnings.emplace_back(kEmptyMetadataWarning);
    return out;
  }
  std::vector<std::string> notes;
  auto yaml = yaml_to_json(split.yaml, limits, notes);
  if (!yaml) {
    out.errors.push_back("Invalid YAML in the README front matter: " + yaml.error().message);
    return out;
  }
  if (yaml->is_null() || (yaml->is_object() && yaml->as_object().empty())) {
    out.warnings.emplace_back(kEmptyMetadataWarning);
    return out;
  }
  if (!yaml->is_object()) {
    out.errors.push_back("The README front matter must be a YAML mapping");
    return out;
  }
  for (auto& n : notes) out.warnings.push_back(std::move(n));
  if (auto* mi = yaml->as_object().if_contains("model-index")) check_model_index(*mi, out.errors);
  return out;
}

Result<void> check_card(std::string_view readme) {
  auto v = validate_card(readme);
  if (v.errors.empty()) return {};
  std::string msg = "Invalid metadata in README.md.";
  for (const auto& e : v.errors) msg += "\n- " + e;
  return fail(Errc::invalid_argument, std::move(msg), Detail::InvalidMetadata);
}

}  // namespace hub::services::metadata
