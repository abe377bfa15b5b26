#include "core/lfs_pointer.h"

#include <algorithm>
#include <limits>

namespace hub {
namespace {

std::unexpected<Error> bad(std::string why) {
  return fail(Errc::invalid_argument, "invalid LFS pointer: " + std::move(why), Detail::InvalidPointer);
}

bool valid_key(std::string_view k) {
  if (k.empty()) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  });
}

// Canonical non-negative decimal that fits int64 (git-lfs stores sizes as int64).
bool parse_size(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');  // 19 digits cannot overflow uint64
  }
  if (v > uint64_t(std::numeric_limits<int64_t>::max())) return false;
  out = v;
  return true;
}

}  // namespace

bool is_lfs_oid(std::string_view oid) {
  if (oid.size() != 64) return false;
  return std::all_of(oid.begin(), oid.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string format_lfs_pointer(const LfsPointer& p) {
  std::vector<std::pair<std::string, std::string>> lines = p.extra;
  lines.emplace_back("oid", "sha256:" + p.oid);
  lines.emplace_back("size", std::to_string(p.size));
  std::sort(lines.begin(), lines.end());
  std::string out = "version " + std::string(kLfsPointerVersion) + "\n";
  for (const auto& [k, v] : lines) out.append(k).append(" ").append(v).append("\n");
  return out;
}

Result<LfsPointer> parse_lfs_pointer(std::string_view text) {
  if (text.empty()) return bad("empty");
  if (text.size() >= kMaxLfsPointerSize) return bad("larger than 1023 bytes");
  if (text.back() != '\n') return bad("last line does not end in \\n");

  LfsPointer p;
  bool have_oid = false, have_size = false;
  std::string_view prev_key;
  size_t line_no = 0;
  for (size_t pos = 0; pos < text.size(); ++line_no) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    std::string where = "line " + std::to_string(line_no + 1);
    if (line.find('\r') != std::string_view::npos) return bad(where + " contains \\r");
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return bad(where + " is not \"key value\"");
    std::string_view key = line.substr(0, sp), value = line.substr(sp + 1);
    if (!valid_key(key)) return bad(where + " has an invalid key");
    if (value.empty()) return bad(where + " has an empty value");
    for (char c : value)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad(where + " has a control character");

    if (line_no == 0) {
      if (key != "version") return bad("the first key must be version");
      if (value != kLfsPointerVersion) return bad("unsupported version " + std::string(value.substr(0, 64)));
      continue;
    }
    if (key == "version") return bad("version repeated");
    if (!prev_key.empty() && key <= prev_key) return bad(where + ": keys not in ascending order or repeated");
    prev_key = key;

    if (key == "oid") {
      if (!value.starts_with("sha256:")) return bad("oid must be sha256:<hex>");
      std::string_view hex = value.substr(7);
      if (!is_lfs_oid(hex)) return bad("oid is not 64 lowercase hex characters");
      p.oid = std::string(hex);
      have_oid = true;
    } else if (key == "size") {
      if (!parse_size(value, p.size)) return bad("size is not a canonical non-negative integer");
      have_size = true;
    } else {
      p.extra.emplace_back(std::string(key), std::string(value));
    }
  }
  if (!have_oid) return bad("missing oid");
  if (!have_size) return bad("missing size");
  return p;
}

}  // namespace hub
