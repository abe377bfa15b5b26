// The `tags` list of a repo, in the Hub's order: library, file formats, model_type, pipeline_tag,
// card tags, conversational/custom_code, languages, datasets, base models, arXiv ids, license,
// model-index/eval-results, region. De-duplicated, first occurrence kept. Pure: any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "services/metadata/card_fields.h"
#include "services/metadata/repo_files.h"

namespace hub::services::metadata {

struct TagInputs {
  const CardFields& card;
  const RepoFiles& repo;
  const json::object* config = nullptr;
  const json::object* tokenizer_config = nullptr;
  std::optional<std::string> library_name;
  std::optional<std::string> pipeline_tag;
  std::optional<std::string> base_model_relation;  // resolved (card or inferred)
  std::string_view card_body;                      // scanned for arXiv links
};

std::vector<std::string> derive_tags(const TagInputs& in);

// True when tokenizer_config.json has a non-empty chat_template or the repo ships one as a file.
bool has_chat_template(const RepoFiles& repo, const json::object* tokenizer_config);

// arXiv ids linked from the Markdown body (arxiv.org/abs/ or /pdf/), first `max_ids`, in order.
std::vector<std::string> find_arxiv_ids(std::string_view body, std::size_t max_ids = 32);

}  // namespace hub::services::metadata
