// What the caller reads from a repo at a commit for metadata indexing: the few small files whose
// text matters, plus every path with its size. Plain data; the caller owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hub::services::metadata {

struct RepoFile {
  std::string path;  // repo-relative, '/'-separated
  uint64_t size = 0;
};

struct RepoFiles {
  std::optional<std::string_view> readme;                 // README.md
  std::optional<std::string_view> config_json;            // config.json
  std::optional<std::string_view> tokenizer_config_json;  // tokenizer_config.json
  std::optional<std::string_view> model_index_json;       // model_index.json (diffusers)
  std::optional<std::string_view> adapter_config_json;    // adapter_config.json (peft)
  std::optional<std::string_view> gitattributes;          // .gitattributes (accepted; unused so far)
  std::vector<RepoFile> files;                            // every path at the commit

  // `region:<x>` tag the Hub puts on every repo ("us" there); empty for none.
  std::string region = "us";
  // "model" | "dataset" | "space": datasets get the Hub's dataset tags and no pipeline_tag.
  std::string repo_type = "model";
  // peft adapters take their base model's pipeline_tag (PIPELINE_TAG.md 2.4). The caller may
  // answer from its index; unset or nullopt means unknown.
  std::function<std::optional<std::string>(std::string_view repo_id)> base_model_pipeline_tag;
};

}  // namespace hub::services::metadata
