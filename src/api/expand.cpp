#include "api/expand.h"

#include <algorithm>
#include <string>

#include "api/errors.h"

namespace hub::api {

// The Hub's `expand` values per repo type (huggingface_hub's Expand*Property_T, which its
// TestExpandPropertyType compares with the 400 below); xetEnabled is accepted, never sent.
const std::vector<std::string_view>& expand_values(std::string_view type) {
  static const std::vector<std::string_view> model{
      "author", "baseModels", "cardData", "childrenModelCount", "config", "createdAt", "disabled", "downloads",
      "downloadsAllTime", "gated", "gguf", "inference", "inferenceProviderMapping", "lastModified", "library_name",
      "likes", "mask_token", "model-index", "pipeline_tag", "private", "resourceGroup", "safetensors", "sha",
      "siblings", "spaces", "tags", "transformersInfo", "trendingScore", "usedStorage", "widgetData", "xetEnabled"};
  static const std::vector<std::string_view> dataset{
      "author", "cardData", "citation", "createdAt", "description", "disabled", "downloads", "downloadsAllTime",
      "gated", "lastModified", "likes", "paperswithcode_id", "private", "resourceGroup", "sha", "siblings", "tags",
      "trendingScore", "usedStorage", "xetEnabled"};
  static const std::vector<std::string_view> space{
      "author", "cardData", "createdAt", "datasets", "disabled", "lastModified", "likes", "models", "private",
      "resourceGroup", "runtime", "sdk", "sha", "siblings", "subdomain", "tags", "trendingScore", "usedStorage",
      "xetEnabled"};
  return type == "dataset" ? dataset : type == "space" ? space : model;
}

// 400 '"expand" must be one of [a, b, ...]' for the first unknown value, as the Hub answers.
std::optional<http::Response> check_expand(const std::vector<std::string_view>& asked, std::string_view type) {
  const auto& valid = expand_values(type);
  for (auto a : asked) {
    if (std::find(valid.begin(), valid.end(), a) != valid.end()) continue;
    std::string msg = "\"expand\" must be one of [";
    for (size_t i = 0; i < valid.size(); ++i) msg += (i ? ", " : "") + std::string(valid[i]);
    return bad_request(msg + "]");
  }
  return std::nullopt;
}

}  // namespace hub::api
