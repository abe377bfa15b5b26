#include "services/limits.h"

namespace hub::services {

std::string describe_bytes(uint64_t bytes) {
  if (bytes >= (uint64_t(1) << 30) && bytes % (uint64_t(1) << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (uint64_t(1) << 20) && bytes % (uint64_t(1) << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

Result<void> check_lfs_object_size(const Limits& limits, uint64_t size, std::string_view what) {
  if (size <= limits.max_lfs_object_bytes) return {};
  std::string name = what.empty() ? std::string("this file") : std::string(what);
  return fail(Errc::too_large,
              name + " is " + std::to_string(size) + " bytes; this hub stores files of at most " +
                  describe_bytes(limits.max_lfs_object_bytes) + " (HUBD_MAX_LFS_OBJECT_MB)",
              Detail::LfsObjectTooLarge);
}

}  // namespace hub::services
