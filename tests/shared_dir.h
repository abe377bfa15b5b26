// Where the workplace's shared fixtures live (real models, tokenizers with goldens): the
// folder `shared/` beside the project root, or $HUBD_SHARED_DIR. Tests that need it skip
// with a message naming the missing path when it is absent (a newcomer's machine).
#pragma once

#include <cstdlib>
#include <filesystem>

namespace hub::testing {

inline std::filesystem::path shared_dir() {
  if (const char* env = std::getenv("HUBD_SHARED_DIR"); env && *env) return env;
  return std::filesystem::path(HUBD_SOURCE_DIR).parent_path() / "shared";
}

}  // namespace hub::testing
