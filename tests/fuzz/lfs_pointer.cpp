// Fuzz target: core/lfs_pointer.h, the one parser of Git LFS pointer files (pushed blobs and
// commit-API payloads are untrusted). Beyond "no crash": whatever parses must format back to
// text that parses to the same pointer, and text already canonical must round-trip exactly.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/lfs_pointer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto p = hub::parse_lfs_pointer(text);
  if (!p) return 0;
  if (!hub::is_lfs_oid(p->oid)) std::abort();
  std::string canonical = hub::format_lfs_pointer(*p);
  auto again = hub::parse_lfs_pointer(canonical);
  if (!again || again->oid != p->oid || again->size != p->size || again->extra != p->extra) std::abort();
  // The parser accepts keys only in ascending order, so accepted text is already canonical.
  if (canonical != text) std::abort();
  return 0;
}
