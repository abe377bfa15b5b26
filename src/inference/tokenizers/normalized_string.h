// NormalizedString: a piece of the input after normalization, with, for every byte of the
// normalized text, the byte range of the original text it came from. Every transformation
// (normalizers, pre-tokenizer splits) keeps that alignment so tokens map back to byte
// offsets in the caller's string. Semantics follow tokenizers/src/tokenizer/normalizer.rs
// (huggingface/tokenizers) so offsets match the Rust library exactly.
// Also: Pattern (what to split on) and PreTokenizedString (the list of splits).
// Plain values, not thread-safe to mutate concurrently; each encode owns its own.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "inference/tokenizers/regex.h"
#include "inference/tokenizers/unicode.h"

namespace hub::inference::tokenizers {

struct Align {
  uint32_t start;
  uint32_t end;
};

using Span = std::pair<size_t, size_t>;

enum class SplitBehavior { removed, isolated, merged_with_previous, merged_with_next, contiguous };

// What a split or replace looks for: a character class, a literal string or a regex.
class Pattern {
 public:
  static Pattern of_char(char32_t c);
  static Pattern of_fn(std::function<bool(char32_t)> fn);
  static Pattern of_regex(const Regex* re);  // borrowed; the owner outlives the pattern
  Pattern inverted() const;
  // Every byte of s in order, as (range, is_match) pieces.
  std::vector<std::pair<Span, bool>> find_matches(std::string_view s) const;

 private:
  std::function<bool(char32_t)> fn_;
  const Regex* re_ = nullptr;
  bool invert_ = false;
};

class NormalizedString {
 public:
  NormalizedString() = default;
  explicit NormalizedString(std::string_view original, size_t shift = 0);

  const std::string& get() const { return normalized_; }
  size_t len() const { return normalized_.size(); }
  bool empty() const { return normalized_.empty(); }
  size_t len_original() const { return original_len_; }
  Span offsets_original() const { return {original_shift_, original_shift_ + original_len_}; }

  // Normalized byte range -> original byte range (relative to this piece's original).
  std::optional<Span> convert_normalized(Span r) const;
  // Original byte range -> normalized byte range.
  std::optional<Span> convert_original(Span r) const;
  // Sub-piece by normalized byte range (must be on char boundaries).
  std::optional<NormalizedString> slice(Span normalized_range) const;

  // Replaces normalized bytes [start, end) by `dest` (see unicode::Change); the first
  // `initial_offset` characters of the range are removed before the first output char.
  void transform_range(Span n_range, const std::vector<unicode::Change>& dest, size_t initial_offset);
  void transform(const std::vector<unicode::Change>& dest, size_t initial_offset);

  void normalize_unicode(unicode::NormForm form);
  void filter(const std::function<bool(char32_t)>& keep);
  void map(const std::function<char32_t(char32_t)>& fn);
  void lowercase();
  void prepend(std::string_view s);
  void replace(const Pattern& pattern, std::string_view content);
  void strip(bool left, bool right);

  std::vector<NormalizedString> split(const Pattern& pattern, SplitBehavior behavior) const;

 private:
  std::string normalized_;
  std::vector<Align> alignments_;
  size_t original_len_ = 0;
  size_t original_shift_ = 0;
};

// A token produced by a model: offsets are byte offsets in its split's normalized text.
struct Token {
  int32_t id;
  std::string value;
  size_t start;
  size_t end;
};

struct Split {
  NormalizedString normalized;
  std::optional<std::vector<Token>> tokens;
};

struct PreTokenizedString {
  std::vector<Split> splits;

  // Replaces each split not yet tokenized by the pieces fn returns (empty pieces dropped).
  template <class Fn>
  void split(Fn&& fn) {
    std::vector<Split> out;
    out.reserve(splits.size());
    for (auto& s : splits) {
      if (s.tokens) {
        out.push_back(std::move(s));
        continue;
      }
      for (auto& piece : fn(std::move(s.normalized))) {
        if (!piece.empty()) out.push_back(Split{std::move(piece), std::nullopt});
      }
    }
    splits = std::move(out);
  }
  template <class Fn>
  void normalize(Fn&& fn) {
    for (auto& s : splits) {
      if (!s.tokens) fn(s.normalized);
    }
  }
};

}  // namespace hub::inference::tokenizers
