#include "inference/tokenizers/byte_level.h"

#include <unordered_map>

namespace hub::inference::tokenizers::byte_level {

namespace {
struct Tables {
  std::array<char32_t, 256> to_char{};
  std::array<std::string, 256> to_utf8;
  std::unordered_map<char32_t, uint8_t> to_byte;
  Tables() {
    std::array<bool, 256> direct{};
    for (int b = '!'; b <= '~'; ++b) direct[b] = true;
    for (int b = 0xA1; b <= 0xAC; ++b) direct[b] = true;
    for (int b = 0xAE; b <= 0xFF; ++b) direct[b] = true;
    char32_t n = 0;
    for (int b = 0; b < 256; ++b) {
      to_char[b] = direct[b] ? static_cast<char32_t>(b) : 256 + n++;
      unicode::append_utf8(to_utf8[b], to_char[b]);
      to_byte[to_char[b]] = static_cast<uint8_t>(b);
    }
  }
};
const Tables& tables() {
  static const Tables t;
  return t;
}
}  // namespace

char32_t byte_to_char(uint8_t b) { return tables().to_char[b]; }
const std::string& byte_to_utf8(uint8_t b) { return tables().to_utf8[b]; }

std::optional<uint8_t> char_to_byte(char32_t c) {
  const auto& m = tables().to_byte;
  auto it = m.find(c);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

const Regex& gpt2_regex() {
  static const Regex re =
      *Regex::compile(R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)");
  return re;
}

void apply(NormalizedString& n) {
  const std::string& s = n.get();
  std::vector<unicode::Change> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = unicode::char_len(static_cast<unsigned char>(s[i]));
    for (size_t k = 0; k < len; ++k) {
      out.push_back({byte_to_char(static_cast<uint8_t>(s[i + k])), k > 0 ? 1 : 0});
    }
    i += len;
  }
  n.transform(out, 0);
}

void process_offsets(Encoding& e, bool add_prefix_space) {
  const char32_t space = byte_to_char(' ');
  for (size_t i = 0; i < e.tokens.size(); ++i) {
    auto chars = unicode::to_u32(e.tokens[i]);
    auto& off = e.offsets[i];
    size_t leading = 0, trailing = 0;
    while (leading < chars.size() && (chars[leading] == space || unicode::is_whitespace(chars[leading]))) ++leading;
    while (trailing < chars.size() &&
           (chars[chars.size() - 1 - trailing] == space || unicode::is_whitespace(chars[chars.size() - 1 - trailing])))
      ++trailing;
    if (leading == 0 && trailing == 0) continue;
    if (leading > 0) {
      bool is_first = i == 0 || off.first == 0;
      if (is_first && add_prefix_space && leading == 1) leading = 0;
      off.first = std::min(off.first + leading, off.second);
    }
    if (trailing > 0 && off.second >= trailing) off.second = std::max(off.second - trailing, off.first);
  }
}

}  // namespace hub::inference::tokenizers::byte_level
