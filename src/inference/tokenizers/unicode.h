// Unicode helpers for the tokenizers: UTF-8 decode/encode/validation, the character classes
// the Rust tokenizers library uses (char::is_whitespace, is_punctuation, ...), lowercase,
// NFD/NFKD/NFC/NFKC with per-character alignment changes, and grapheme clusters.
// Tables come from utf8proc. Stateless; every function is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hub::inference::tokenizers::unicode {

// One output character of a transformation and its change (see NormalizedString::transform):
// 0 replaces one input character, +1 is inserted, -N replaces one and removes N more.
struct Change {
  char32_t c;
  int32_t change;
};

// Decodes the code point at s[i] (s must be valid UTF-8) and advances i.
inline char32_t next_char(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    i += 1;
    return b0;
  }
  if (b0 < 0xE0) {
    char32_t c = ((b0 & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    i += 2;
    return c;
  }
  if (b0 < 0xF0) {
    char32_t c = ((b0 & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                 (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    i += 3;
    return c;
  }
  char32_t c = ((b0 & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
               ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) |
               (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
  i += 4;
  return c;
}

// Byte length of the character starting with lead byte b.
inline size_t char_len(unsigned char b) { return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4; }
inline size_t utf8_len(char32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }
void append_utf8(std::string& out, char32_t c);
std::u32string to_u32(std::string_view s);
size_t count_chars(std::string_view s);
// Strict UTF-8 validation (no overlongs, surrogates or code points past U+10FFFF).
bool is_valid_utf8(std::string_view s);

bool is_whitespace(char32_t c);        // Rust char::is_whitespace (White_Space)
bool is_punctuation(char32_t c);       // general category P*
bool is_bert_punctuation(char32_t c);  // ASCII punctuation or P*
bool is_other(char32_t c);             // C* (Cc, Cf, Cn, Co, Cs)
bool is_mark_nonspacing(char32_t c);   // Mn
bool is_mark(char32_t c);              // Mn, Mc, Me
bool is_numeric(char32_t c);           // N* (Rust char::is_numeric)
bool is_word_char(char32_t c);         // regex \w: alphabetic, marks, Nd, Pc, join controls
bool is_chinese_char(char32_t c);      // the CJK ranges of BertNormalizer

// Full lowercase mapping (U+0130 becomes two characters, as in Rust).
void to_lowercase(char32_t c, std::vector<char32_t>& out);

enum class NormForm { nfd, nfkd, nfc, nfkc };
// Normalizes s, returning each output character with its alignment change.
std::vector<Change> normalize(std::string_view s, NormForm form);

// Byte ranges of the extended grapheme clusters of s.
std::vector<std::pair<size_t, size_t>> graphemes(std::string_view s);

}  // namespace hub::inference::tokenizers::unicode
