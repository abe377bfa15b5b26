// The README.md front-matter validator: what POST /api/validate-yaml answers and what a
// commit adding a README.md is refused for, so both say the same thing. Pure function over the
// file's text; thread-safe.
//
// Errors (the Hub refuses the card): YAML that does not parse, a front matter that is not a
// mapping, a malformed `model-index` (not a list of {name?, results: [...]} entries).
// Warnings (the card is accepted): no or empty metadata, an unterminated front matter, keys
// the converter had to leave out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hub::services::metadata {

struct CardValidation {
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

// The Hub's warning for a card without metadata (huggingface_hub prints it).
inline constexpr std::string_view kEmptyMetadataWarning =
    "empty or missing yaml metadata in repo card (https://huggingface.co/docs/hub/model-cards#model-card-metadata)";

CardValidation validate_card(std::string_view readme);

// validate_card as the refusal commits and pushes answer: invalid_argument with
// Detail::InvalidMetadata and the Hub's words, "Invalid metadata in README.md.", then one
// "- reason" line per error. Warnings never refuse.
Result<void> check_card(std::string_view readme);

}  // namespace hub::services::metadata
