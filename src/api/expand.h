// The `expand` query parameter of repo info and the listings: which values the Hub accepts per
// repo type, and its 400 for any other. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace hub::api {

// The Hub's `expand` values for a repo type ("model", "dataset", "space").
const std::vector<std::string_view>& expand_values(std::string_view type);

// 400 '"expand" must be one of [a, b, ...]' for the first value not accepted, as the Hub answers.
std::optional<http::Response> check_expand(const std::vector<std::string_view>& asked, std::string_view type);

}  // namespace hub::api
