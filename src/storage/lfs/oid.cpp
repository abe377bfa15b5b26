#include "storage/lfs/oid.h"

#include "core/lfs_pointer.h"

namespace hub::storage::lfs {

bool is_valid_oid(std::string_view oid) { return is_lfs_oid(oid); }

Result<void> check_oid(std::string_view oid) {
  if (is_valid_oid(oid)) return {};
  return fail(Errc::invalid_argument, "invalid LFS oid: expected 64 lowercase hex characters",
              Detail::InvalidLfsOid);
}

std::string oid_shard_path(std::string_view oid) {
  HUB_ASSERT(is_valid_oid(oid) && "callers validate oids first");
  std::string out;
  out.reserve(oid.size() + 6);
  out.append(oid.substr(0, 2)).append("/").append(oid.substr(2, 2)).append("/").append(oid);
  return out;
}

}  // namespace hub::storage::lfs
