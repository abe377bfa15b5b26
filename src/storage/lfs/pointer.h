// Git LFS pointer files (git-lfs spec v1): the small text git stores in place of a large file.
//   version https://git-lfs.github.com/spec/v1\n
//   oid sha256:<64 lowercase hex>\n
//   size <bytes>\n
// parse_pointer takes untrusted text (a pushed blob) and is strict: under kMaxPointerSize bytes,
// "key value\n" lines only (no CR), version first, the other keys unique and in ascending order,
// keys of [a-z0-9.-], oid and size present and well-formed (size: canonical decimal, no leading
// zeros, at most INT64_MAX). Other valid keys (e.g. ext-0-foo) are kept in `extra`.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace hub::storage::lfs {

inline constexpr std::string_view kPointerVersion = "https://git-lfs.github.com/spec/v1";
inline constexpr size_t kMaxPointerSize = 1024;  // git-lfs never treats larger blobs as pointers

struct Pointer {
  std::string oid;  // 64 lowercase hex, without the "sha256:" prefix
  uint64_t size = 0;
  std::vector<std::pair<std::string, std::string>> extra;  // other keys, ascending
};

// The canonical text; extra keys are merged into their sorted position.
std::string format_pointer(const Pointer& p);
inline std::string format_pointer(std::string_view oid, uint64_t size) {
  return format_pointer(Pointer{std::string(oid), size, {}});
}

// invalid_argument (detail "InvalidPointer") with the first problem found.
Result<Pointer> parse_pointer(std::string_view text);

// Cheap pre-check before reading a blob: only blobs this small can be pointers.
inline bool may_be_pointer(uint64_t blob_size) { return blob_size > 0 && blob_size < kMaxPointerSize; }

}  // namespace hub::storage::lfs
