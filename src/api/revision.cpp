#include "api/revision.h"

#include "http/message.h"

namespace hub::api {

namespace {
std::string join(const std::vector<std::string>& segs, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += '/';
    out += segs[i];
  }
  return out;
}

// How many leading segments the revision takes without asking the repo.
size_t default_rev_len(const std::vector<std::string>& segs) {
  if (segs.size() >= 3 && segs[0] == "refs" &&
      (segs[1] == "pr" || segs[1] == "convert" || segs[1] == "heads" || segs[1] == "tags"))
    return 3;
  return 1;
}
}  // namespace

Result<std::string> normalize_repo_path(std::string_view path) {
  std::string out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view seg = path.substr(i, j - i);
    if (seg == "." || seg == "..")
      return fail(Errc::invalid_argument, "Invalid path: '.' and '..' segments are not allowed");
    if (!seg.empty()) {
      if (!out.empty()) out += '/';
      out += seg;
    }
    i = j + 1;
  }
  if (out.find('\0') != std::string::npos || out.find('\\') != std::string::npos)
    return fail(Errc::invalid_argument, "Invalid path: NUL and backslash are not allowed");
  return out;
}

Result<std::string> join_revision(const std::vector<std::string>& segments) {
  std::string rev = join(segments, 0, segments.size());
  if (rev.empty()) return fail(Errc::invalid_argument, "Missing revision");
  return rev;
}

Result<RevPath> split_rev_path(const std::vector<std::string>& segs,
                               const std::function<bool(std::string_view)>& resolves) {
  if (segs.empty() || segs[0].empty()) return fail(Errc::invalid_argument, "Missing revision");
  size_t n = default_rev_len(segs);
  if (resolves && !resolves(join(segs, 0, n))) {
    // A raw branch or tag name with slashes: the shortest longer prefix that exists wins (git
    // forbids both "a" and "a/b" as branches, so at most one usually matches).
    for (size_t k = 1; k <= segs.size(); ++k) {
      if (k == n) continue;
      if (resolves(join(segs, 0, k))) {
        n = k;
        break;
      }
    }
  }
  RevPath out;
  out.revision = join(segs, 0, n);
  auto path = normalize_repo_path(join(segs, n, segs.size()));
  if (!path) return std::unexpected(path.error());
  out.path = std::move(*path);
  return out;
}

std::string encode_path(std::string_view path) { return http::percent_encode(path, true); }

}  // namespace hub::api
