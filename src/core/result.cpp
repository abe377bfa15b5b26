#include "core/result.h"

namespace hub {

std::string_view errc_name(Errc c) {
  switch (c) {
    case Errc::not_found: return "not_found";
    case Errc::already_exists: return "already_exists";
    case Errc::invalid_argument: return "invalid_argument";
    case Errc::unauthenticated: return "unauthenticated";
    case Errc::forbidden: return "forbidden";
    case Errc::conflict: return "conflict";
    case Errc::precondition_failed: return "precondition_failed";
    case Errc::too_large: return "too_large";
    case Errc::corrupt: return "corrupt";
    case Errc::unsupported: return "unsupported";
    case Errc::io: return "io";
    case Errc::internal: return "internal";
  }
  return "internal";
}

}  // namespace hub
