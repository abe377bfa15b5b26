// LFS object ids: a sha256 as 64 lowercase hex characters. Every store entry point validates
// the oid with is_valid_oid before it touches a path or a key, so no traversal is possible.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace hub::storage::lfs {

inline constexpr size_t kOidLength = 64;

// Exactly 64 chars of [0-9a-f]; uppercase is rejected so one object has one name.
bool is_valid_oid(std::string_view oid);

// invalid_argument (Detail::InvalidLfsOid, sent as "InvalidOid") unless is_valid_oid.
Result<void> check_oid(std::string_view oid);

// "ab/cd/abcd…": the two-level fan-out used on disk and as the S3 key suffix.
std::string oid_shard_path(std::string_view oid);

}  // namespace hub::storage::lfs
