#include "storage/git/lfs_pointer.h"

#include <charconv>

namespace hub::storage::git {
namespace {

constexpr std::string_view kVersionLine = "version https://git-lfs.github.com/spec/v1\n";

bool is_lower_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool is_key(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  }
  return true;
}

}  // namespace

std::optional<LfsPointer> parse_lfs_pointer(std::string_view blob) {
  if (blob.size() >= kMaxLfsPointerSize || !blob.starts_with(kVersionLine)) return std::nullopt;
  std::string_view rest = blob.substr(kVersionLine.size());
  LfsPointer p;
  p.pointer_size = blob.size();
  bool have_oid = false, have_size = false;
  std::string_view prev_key;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;  // every line ends in '\n'
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    std::string_view key = line.substr(0, sp), value = line.substr(sp + 1);
    if (!is_key(key) || key == "version" || (!prev_key.empty() && key <= prev_key)) {
      return std::nullopt;
    }
    prev_key = key;
    if (key == "oid") {
      if (!value.starts_with("sha256:")) return std::nullopt;
      value.remove_prefix(7);
      if (value.size() != 64 || !is_lower_hex(value)) return std::nullopt;
      p.oid = std::string(value);
      have_oid = true;
    } else if (key == "size") {
      if (value.empty() || value.size() > 20 || (value.size() > 1 && value[0] == '0')) {
        return std::nullopt;
      }
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), p.size);
      if (ec != std::errc() || ptr != value.data() + value.size()) return std::nullopt;
      have_size = true;
    }
  }
  if (!have_oid || !have_size) return std::nullopt;
  return p;
}

std::string format_lfs_pointer(std::string_view sha256_hex, uint64_t size) {
  std::string out(kVersionLine);
  out += "oid sha256:";
  out += sha256_hex;
  out += "\nsize ";
  out += std::to_string(size);
  out += '\n';
  return out;
}

}  // namespace hub::storage::git
