// Case mapping for upper/lower/capitalize like JavaScript's toUpperCase/toLowerCase, for
// ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic and fullwidth Latin (the scripts chat
// content is likely to be cased in). Other scripts pass through unchanged; Greek final
// sigma and other context-sensitive rules are not applied.
#include <string>
#include <string_view>

#include "inference/chat/interp.h"

namespace hub::inference::chat {
namespace {

// Pairs where upper = lower - 1 in alternating (even upper, odd lower) blocks.
bool in_alternating(uint32_t cp, uint32_t first, uint32_t last) { return cp >= first && cp <= last; }

uint32_t upper_cp(uint32_t c) {
  if (c < 0x80) return c >= 'a' && c <= 'z' ? c - 32 : c;
  if (c == 0xB5) return 0x39C;
  if ((c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c == 0x131) return 'I';
  if (c == 0x17F) return 'S';
  if ((in_alternating(c, 0x100, 0x12F) || in_alternating(c, 0x132, 0x137) || in_alternating(c, 0x14A, 0x177)) && (c & 1))
    return c - 1;
  if ((in_alternating(c, 0x139, 0x148) || in_alternating(c, 0x179, 0x17E)) && !(c & 1)) return c - 1;
  if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) return c - 32;
  if (c == 0x3C2) return 0x3A3;
  if (c == 0x3AC) return 0x386;
  if (c >= 0x3AD && c <= 0x3AF) return c - 37;
  if (c == 0x3CC) return 0x38C;
  if (c == 0x3CD || c == 0x3CE) return c - 63;
  if (c >= 0x430 && c <= 0x44F) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  if ((in_alternating(c, 0x460, 0x481) || in_alternating(c, 0x48A, 0x4BF) || in_alternating(c, 0x4D0, 0x52F)) && (c & 1))
    return c - 1;
  if (c >= 0xFF41 && c <= 0xFF5A) return c - 32;
  return c;
}

uint32_t lower_cp(uint32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c == 0x178) return 0xFF;
  if ((in_alternating(c, 0x100, 0x12F) || in_alternating(c, 0x132, 0x137) || in_alternating(c, 0x14A, 0x177)) && !(c & 1))
    return c + 1;
  if ((in_alternating(c, 0x139, 0x148) || in_alternating(c, 0x179, 0x17E)) && (c & 1)) return c + 1;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x410 && c <= 0x42F) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  if ((in_alternating(c, 0x460, 0x481) || in_alternating(c, 0x48A, 0x4BF) || in_alternating(c, 0x4D0, 0x52F)) && !(c & 1))
    return c + 1;
  if (c >= 0xFF21 && c <= 0xFF3A) return c + 32;
  return c;
}

uint32_t decode(std::string_view cp) {
  auto b = [&](size_t i) { return uint32_t(static_cast<unsigned char>(cp[i])); };
  switch (cp.size()) {
    case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    case 4: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
    default: return b(0);
  }
}

std::string map_case(const std::string& s, bool upper, size_t limit) {
  std::string out;
  out.reserve(s.size());
  size_t n = 0;
  for (std::string_view cp : code_points(s)) {
    if (n++ >= limit || (cp.size() == 1 && static_cast<unsigned char>(cp[0]) >= 0x80)) {
      out += cp;  // past the limit, or a stray byte of broken UTF-8: unchanged
      continue;
    }
    uint32_t c = decode(cp);
    if (upper && c == 0xDF) {
      out += "SS";
      continue;
    }
    if (!upper && c == 0x130) {
      out += "i\xCC\x87";
      continue;
    }
    append_utf8(out, upper ? upper_cp(c) : lower_cp(c));
  }
  return out;
}

}  // namespace

std::string case_lower(std::string s) { return map_case(s, false, SIZE_MAX); }
std::string case_upper(std::string s) { return map_case(s, true, SIZE_MAX); }

std::string js_capitalize(const std::string& s) { return map_case(s, true, 1); }

}  // namespace hub::inference::chat
