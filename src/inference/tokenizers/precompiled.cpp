#include "inference/tokenizers/precompiled.h"

#include <cstring>

#include "core/hash.h"

namespace hub::inference::tokenizers {

Result<Precompiled> Precompiled::from_base64(std::string_view b64) {
  auto bytes = base64_decode(b64);
  if (!bytes) return fail(Errc::invalid_argument, "precompiled_charsmap is not valid base64");
  return from_bytes(*bytes);
}

Result<Precompiled> Precompiled::from_bytes(std::string_view bytes) {
  if (bytes.size() < 4) return fail(Errc::invalid_argument, "precompiled_charsmap too short");
  uint32_t trie_size = 0;
  std::memcpy(&trie_size, bytes.data(), 4);  // little-endian on every target we build for
  if (trie_size % 4 != 0 || trie_size == 0 || size_t(trie_size) + 4 > bytes.size()) {
    return fail(Errc::invalid_argument, "precompiled_charsmap: bad trie size");
  }
  Precompiled p;
  p.trie_.resize(trie_size / 4);
  std::memcpy(p.trie_.data(), bytes.data() + 4, trie_size);
  p.normalized_.assign(bytes.substr(4 + trie_size));
  if (!unicode::is_valid_utf8(p.normalized_)) {
    return fail(Errc::invalid_argument, "precompiled_charsmap: replacements are not UTF-8");
  }
  return p;
}

std::optional<std::string_view> Precompiled::transform(std::string_view chunk) const {
  // Darts-clone unit layout: offset in bits 10.., label in the low byte (+ bit 31),
  // has-leaf in bit 8, value in the low 31 bits of a leaf unit.
  auto offset = [](uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); };
  size_t node = 0;
  if (trie_.empty()) return std::nullopt;
  node ^= offset(trie_[0]);
  for (char ch : chunk) {
    auto c = static_cast<unsigned char>(ch);
    if (c == 0) break;
    node ^= c;
    if (node >= trie_.size()) return std::nullopt;
    uint32_t unit = trie_[node];
    if ((unit & ((1u << 31) | 0xFFu)) != c) return std::nullopt;
    node ^= offset(unit);
    if (node >= trie_.size()) return std::nullopt;
    if ((unit >> 8) & 1u) {
      size_t index = trie_[node] & ((1u << 31) - 1);
      if (index >= normalized_.size()) return std::nullopt;
      size_t end = normalized_.find('\0', index);
      if (end == std::string::npos) end = normalized_.size();
      return std::string_view(normalized_).substr(index, end - index);
    }
  }
  return std::nullopt;
}

namespace {
// Appends `replacement` for `old_part`, moving the difference in length onto the changes as
// SentencePiece-compatible alignments expect.
void replace(std::vector<unicode::Change>& out, std::string_view old_part, std::string_view replacement) {
  auto old_count = static_cast<long>(unicode::count_chars(old_part));
  size_t first = out.size();
  for (size_t i = 0; i < replacement.size();) out.push_back({unicode::next_char(replacement, i), 0});
  auto new_count = static_cast<long>(out.size() - first);
  long diff = new_count - old_count;
  if (diff > 0) {
    for (long k = 0; k < diff && k < static_cast<long>(out.size()); ++k) out[out.size() - 1 - k].change = 1;
  } else if (diff < 0 && !out.empty()) {
    out.back().change += static_cast<int32_t>(diff);
  }
}
}  // namespace

void Precompiled::normalize(NormalizedString& s) const {
  const std::string& str = s.get();
  std::vector<unicode::Change> out;
  out.reserve(str.size());
  bool modified = false;
  for (auto [gb, ge] : unicode::graphemes(str)) {
    std::string_view g(str.data() + gb, ge - gb);
    if (g.size() < 6) {
      if (auto norm = transform(g)) {
        modified = true;
        replace(out, g, *norm);
        continue;
      }
    }
    for (size_t i = 0; i < g.size();) {
      size_t b = i;
      char32_t c = unicode::next_char(g, i);
      std::string_view part = g.substr(b, i - b);
      if (auto norm = transform(part)) {
        modified = true;
        replace(out, part, *norm);
      } else {
        out.push_back({c, 0});
      }
    }
  }
  if (modified) s.transform(out, 0);
}

}  // namespace hub::inference::tokenizers
