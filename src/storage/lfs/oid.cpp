#include "storage/lfs/oid.h"

namespace hub::storage::lfs {

bool is_valid_oid(std::string_view oid) {
  if (oid.size() != kOidLength) return false;
  for (char c : oid) {
    bool digit = c >= '0' && c <= '9';
    bool lower_hex = c >= 'a' && c <= 'f';
    if (!digit && !lower_hex) return false;
  }
  return true;
}

Result<void> check_oid(std::string_view oid) {
  if (is_valid_oid(oid)) return {};
  return fail(Errc::invalid_argument, "invalid LFS oid: expected 64 lowercase hex characters",
              "InvalidOid");
}

std::string oid_shard_path(std::string_view oid) {
  HUB_ASSERT(is_valid_oid(oid) && "callers validate oids first");
  std::string out;
  out.reserve(oid.size() + 6);
  out.append(oid.substr(0, 2)).append("/").append(oid.substr(2, 2)).append("/").append(oid);
  return out;
}

}  // namespace hub::storage::lfs
