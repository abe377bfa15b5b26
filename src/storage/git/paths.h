// Rules for file paths written into a repository by the Hub ("dir/sub/file.bin").
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hub::storage::git {

// invalid_argument (with the reason) unless `path` is relative, '/'-separated, without
// empty, "." or ".." segments, without a ".git" segment (any case), without backslashes,
// NUL bytes or control characters, at most 4096 bytes and 255 bytes per segment.
Result<void> validate_repo_path(std::string_view path);

// "a/b/c" -> {"a","b","c"}; no validation.
std::vector<std::string_view> split_path(std::string_view path);

}  // namespace hub::storage::git
