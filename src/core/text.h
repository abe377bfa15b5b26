// Small text helpers shared across layers: ASCII case-insensitive comparison and URL
// percent-encoding (RFC 3986 unreserved set). Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hub {

bool iequals(std::string_view a, std::string_view b);
// Decodes %XX (and '+' as space when asked); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view s, bool plus_as_space = false);
// Escapes everything but unreserved characters (and '/' when keep_slash).
std::string percent_encode(std::string_view s, bool keep_slash = false);

}  // namespace hub
