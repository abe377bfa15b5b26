// Fuzz target: services/metadata's model card parsing (README.md front matter through
// yaml-cpp into cardData) and everything derived from it on each push: typed card fields,
// pipeline_tag, library, tags, widgets, the API JSON. Every step claims to be bounded and
// never to throw; the input is the README, read as a model card and as a dataset card.
#include <cstdint>
#include <string_view>

#include "services/metadata/repo_metadata.h"

using namespace hub::services::metadata;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view readme(reinterpret_cast<const char*>(data), size);
  ModelCard card = parse_model_card(readme);
  (void)hub::json::serialize(card.data);

  RepoFiles repo;
  repo.readme = readme;
  repo.files = {{"README.md", size}, {"config.json", 2}, {"model.safetensors", 1000}};
  repo.config_json = "{}";
  repo.repo_type = size % 2 ? "dataset" : "model";
  repo.base_model_pipeline_tag = [](std::string_view) { return std::optional<std::string>("text-generation"); };
  RepoMetadata md = build_repo_metadata(repo);
  (void)hub::json::serialize(to_api_json(md));
  return 0;
}
