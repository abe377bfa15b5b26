// Test helper: generates the tiny torch fixtures (tests/inference/make_fixtures.py) once per
// build directory, under a file lock so parallel ctest processes share one generation.
#pragma once

#include <string>

#include "torch_fixtures.h"

namespace hub::inference::testing {

// The fixtures directory, or "" when /usr/bin/python3 with torch is unavailable (the reason
// goes to *why).
inline std::string torch_fixtures_dir(std::string* why) {
  const std::string script = std::string(HUBD_SOURCE_DIR) + "/tests/inference/make_fixtures.py";
  return hub::testing::torch_fixtures(script, std::string(HUBD_BINARY_DIR) + "/tests/inference/fixtures", {}, why);
}

}  // namespace hub::inference::testing
