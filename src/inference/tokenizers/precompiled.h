// Precompiled: the SentencePiece normalizer stored in tokenizer.json as
// "precompiled_charsmap" (base64 of: u32 trie size in bytes, a Darts double-array trie over
// UTF-8 bytes, then NUL-terminated replacement strings). Used by T5, XLM-R, ALBERT, Marian.
// Semantics follow tokenizers/src/normalizers/precompiled.rs and the spm_precompiled crate:
// per grapheme (if under 6 bytes) else per character, the first trie match replaces it.
// Immutable after load; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "inference/tokenizers/normalized_string.h"

namespace hub::inference::tokenizers {

class Precompiled {
 public:
  static Result<Precompiled> from_base64(std::string_view b64);
  static Result<Precompiled> from_bytes(std::string_view bytes);

  // Replacement for the shortest prefix of chunk found in the trie, if any.
  std::optional<std::string_view> transform(std::string_view chunk) const;
  void normalize(NormalizedString& s) const;

 private:
  std::vector<uint32_t> trie_;
  std::string normalized_;
};

}  // namespace hub::inference::tokenizers
