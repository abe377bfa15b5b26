// Git LFS pointer files (git-lfs spec v1): the small text git stores in place of a large file.
//   version https://git-lfs.github.com/spec/v1\n
//   oid sha256:<64 lowercase hex>\n
//   size <bytes>\n
// The one parser/formatter of the project (storage/git reads pointers out of trees, storage/lfs
// and services check them); it lives in core because both storage folders need it and may only
// depend on core. parse_lfs_pointer takes untrusted text (a pushed blob) and is strict: under
// kMaxLfsPointerSize bytes, "key value\n" lines only (no CR, no control characters), version
// first, the other keys unique and in ascending order, keys of [a-z0-9.-], oid and size present
// and well-formed (size: canonical decimal, no leading zeros, at most INT64_MAX, as git-lfs).
// Other valid keys (e.g. ext-0-foo) are kept in `extra`. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace hub {

inline constexpr std::string_view kLfsPointerVersion = "https://git-lfs.github.com/spec/v1";
inline constexpr size_t kMaxLfsPointerSize = 1024;  // git-lfs never treats larger blobs as pointers

struct LfsPointer {
  std::string oid;  // 64 lowercase hex, without the "sha256:" prefix
  uint64_t size = 0;
  std::vector<std::pair<std::string, std::string>> extra;  // other keys, ascending
};

// Exactly 64 characters of [0-9a-f] (a sha256 named one way only).
bool is_lfs_oid(std::string_view oid);

// The canonical text; extra keys are merged into their sorted position.
std::string format_lfs_pointer(const LfsPointer& p);
inline std::string format_lfs_pointer(std::string_view oid, uint64_t size) {
  return format_lfs_pointer(LfsPointer{std::string(oid), size, {}});
}

// invalid_argument (detail "InvalidPointer") with the first problem found.
Result<LfsPointer> parse_lfs_pointer(std::string_view text);

// Cheap pre-check before reading a blob: only blobs this small can be pointers.
inline bool may_be_lfs_pointer(uint64_t blob_size) { return blob_size > 0 && blob_size < kMaxLfsPointerSize; }

}  // namespace hub
