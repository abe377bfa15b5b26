// Model card parsing: splits README.md into YAML front matter and Markdown body, and converts the
// YAML into a JSON value (the API's `cardData`). The input is untrusted, so every step is bounded:
// front-matter size, nesting depth (checked before yaml-cpp sees the text), node count and output
// bytes during conversion (aliases are shared by yaml-cpp, so a "billion laughs" document only
// explodes when expanded; the node budget stops it). Invalid UTF-8 is replaced with U+FFFD.
// Nothing here throws; problems are recorded in ModelCard::errors and parsing keeps what it could.
// Pure functions, no shared state: safe to call from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"

namespace hub::services::metadata {

struct CardLimits {
  std::size_t max_yaml_bytes = 256 * 1024;  // larger front matter is ignored; yaml-cpp peaks near 250x this
  std::size_t max_depth = 64;                    // nesting of the converted JSON value
  std::size_t max_scan_depth = 256;              // rough nesting bound checked before yaml-cpp runs
  std::size_t max_nodes = 100'000;               // JSON values produced, aliases expanded
  std::size_t max_output_bytes = 4 * 1024 * 1024;  // scalar and key bytes produced
  std::size_t max_errors = 32;                   // further errors are dropped
};

struct ModelCard {
  bool has_front_matter = false;  // a `---` block opened and closed the file
  json::object data;              // cardData: the front matter's top-level mapping (or empty)
  std::string body;               // Markdown after the front matter (whole text if none)
  std::vector<std::string> errors;
};

ModelCard parse_model_card(std::string_view readme, const CardLimits& limits = {});

// The pieces, exposed for tests and for other callers (e.g. dataset cards).
struct FrontMatterSplit {
  bool found = false;       // opening and closing `---` lines present
  bool unterminated = false;  // opened but never closed
  std::string_view yaml;    // between the delimiter lines
  std::string_view body;    // after the closing line (or everything when !found)
};
// `text` must already be free of a leading BOM.
FrontMatterSplit split_front_matter(std::string_view text);

// Converts a YAML document to JSON within `limits`. Top-level mapping keys whose value cannot be
// converted (too deep, over budget, unsupported key) are left out and reported in `errors`; a
// document that does not parse is an error.
Result<json::value> yaml_to_json(std::string_view yaml, const CardLimits& limits,
                                 std::vector<std::string>& errors);

// Returns `text` with every invalid UTF-8 sequence replaced by U+FFFD; sets *replaced if any.
std::string sanitize_utf8(std::string_view text, bool* replaced = nullptr);

}  // namespace hub::services::metadata
