#include "storage/git/paths.h"

namespace hub::storage::git {
namespace {

std::unexpected<Error> bad(std::string_view path, std::string_view why) {
  return fail(Errc::invalid_argument, "invalid path '" + std::string(path) + "': " + std::string(why));
}

bool is_dot_git(std::string_view seg) {
  if (seg.size() != 4 || seg[0] != '.') return false;
  auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
  return lower(seg[1]) == 'g' && lower(seg[2]) == 'i' && lower(seg[3]) == 't';
}

}  // namespace

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (true) {
    size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

Result<void> validate_repo_path(std::string_view path) {
  if (path.empty()) return bad(path, "empty");
  if (path.size() > 4096) return bad(path.substr(0, 64), "longer than 4096 bytes");
  if (path.front() == '/') return bad(path, "leading '/'");
  for (char c : path) {
    if (c == '\\') return bad(path, "backslash");
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return bad(path, "control character");
  }
  for (std::string_view seg : split_path(path)) {
    if (seg.empty()) return bad(path, "empty segment");
    if (seg == "." || seg == "..") return bad(path, "'.' or '..' segment");
    if (is_dot_git(seg)) return bad(path, "'.git' segment");
    if (seg.size() > 255) return bad(path, "segment longer than 255 bytes");
  }
  return {};
}

}  // namespace hub::storage::git
