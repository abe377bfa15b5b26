// Name rules, as the Hub enforces them: repo names and account names are 1-96 characters
// of letters, digits, '-', '_' and '.', neither starting nor ending with '-' or '.', with no
// "--" or "..", and not ending in ".git". Some top-level words are reserved because they
// are URL prefixes (api, datasets, spaces, models, ...). Pure functions.
#pragma once

#include <string_view>

#include "core/result.h"

namespace hub::services {

Result<void> validate_repo_name(std::string_view name);
Result<void> validate_account_name(std::string_view name);
// "model" | "dataset" | "space"; also accepts the plural and nothing (model).
Result<std::string_view> parse_repo_type(std::string_view t);
// The URL prefix of a type on file/git/web routes: "", "datasets/", "spaces/".
std::string_view repo_url_prefix(std::string_view type);

}  // namespace hub::services
