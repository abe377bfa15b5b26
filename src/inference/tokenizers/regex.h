// Regex: a compiled PCRE2 pattern (UTF + Unicode properties, JIT when available) used by the
// Split pre-tokenizer, the Replace normalizer/decoder and the ByteLevel pre-tokenizer.
// Immutable after compile; find_all is thread-safe (match data is per call).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace hub::inference::tokenizers {

class Regex {
 public:
  // Compiles `pattern`; a syntax error is invalid_argument with PCRE2's message.
  static Result<Regex> compile(std::string_view pattern);
  // Same pattern taken literally (for Split/Replace with a "String" pattern).
  static std::string escape(std::string_view literal);

  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;
  ~Regex();

  // Non-overlapping matches in s, as byte ranges, left to right.
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view s) const;

 private:
  struct Impl;
  explicit Regex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hub::inference::tokenizers
