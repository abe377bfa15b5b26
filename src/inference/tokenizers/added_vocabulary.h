// AddedVocabulary: the "added_tokens" of tokenizer.json (special tokens and user-added
// tokens). Before the model runs, the input is cut around them: first tokens matched on the
// raw text (normalized=false), then, after normalizing the rest, tokens matched on the
// normalized text. Matching is leftmost-longest with single_word/lstrip/rstrip rules.
// Upstream: tokenizers/src/tokenizer/added_vocabulary.rs. Immutable after load; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "inference/tokenizers/components.h"
#include "inference/tokenizers/vocab.h"

namespace hub::inference::tokenizers {

struct AddedToken {
  int32_t id = 0;
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
};

class AddedVocabulary {
 public:
  // Adds the tokens in order; ids come from the model's vocabulary when the content is
  // there, else the next free id (as the Rust library does on load).
  void add_tokens(const std::vector<AddedToken>& tokens, const Model& model, const Normalizer* normalizer);

  // Splits `text` around added tokens and normalizes the pieces between them.
  PreTokenizedString extract_and_normalize(std::string_view text, const Normalizer* normalizer) const;

  std::optional<int32_t> token_to_id(std::string_view token) const;
  // The token text used by decode (the normalized form for normalized tokens).
  const std::string* id_to_token(int32_t id) const;
  bool is_special(std::string_view content) const;
  bool is_special_id(int32_t id) const;
  size_t size() const { return by_content_.size(); }
  // Added tokens whose text is not in the model's vocabulary.
  size_t count_outside(const Model& model) const;
  std::optional<int32_t> max_id() const;

 private:
  struct Matcher {
    std::array<bool, 256> first{};
    // Patterns grouped by first byte, longest first.
    std::unordered_map<unsigned char, std::vector<std::pair<std::string, int32_t>>> by_first;
    bool empty() const { return by_first.empty(); }
  };
  struct Match {
    std::optional<int32_t> id;
    size_t start, end;
  };
  void rebuild();
  std::vector<Match> find_matches(std::string_view s, const Matcher& m) const;
  void split_with(PreTokenizedString& pts, const Matcher& m, const Normalizer* normalizer) const;

  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> by_content_;
  std::unordered_map<int32_t, AddedToken> by_id_;
  std::unordered_map<int32_t, std::string> normalized_cache_;
  std::unordered_set<std::string, StringHash, std::equal_to<>> special_;
  Matcher raw_, normalized_;
};

}  // namespace hub::inference::tokenizers
