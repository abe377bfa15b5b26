// Git LFS pointer files (spec v1): strict parsing of blobs that stand in for large files, and
// the canonical text the Hub writes. Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/git/types.h"

namespace hub::storage::git {

inline constexpr size_t kMaxLfsPointerSize = 1024;

// A pointer is a blob under 1024 bytes: "version https://git-lfs.github.com/spec/v1\n" first,
// then "key value\n" lines, keys sorted and unique ([a-z0-9.-]), among them
// "oid sha256:<64 lowercase hex>\n" and "size <decimal>\n". Anything else -> nullopt.
std::optional<LfsPointer> parse_lfs_pointer(std::string_view blob);

// "version https://git-lfs.github.com/spec/v1\noid sha256:<oid>\nsize <n>\n".
std::string format_lfs_pointer(std::string_view sha256_hex, uint64_t size);

}  // namespace hub::storage::git
