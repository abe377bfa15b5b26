// Runs the node oracles beside this file (xet-core's WebAssembly build and @huggingface/blake3-jit,
// both from tests/node_modules, installed by scripts/npm-deps.sh) and reads their stdout.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>

namespace hub::storage::xet::testing {

inline std::filesystem::path node_modules() {
  return std::filesystem::path(HUBD_SOURCE_DIR) / "tests/node_modules";
}

inline bool have_oracles() {
  return std::filesystem::exists(node_modules() / "@huggingface/hub/src/vendor/xet-chunk") &&
         std::filesystem::exists(node_modules() / "@huggingface/blake3-jit/dist/esm/index.js");
}

// `ENV node tests/storage/xet/SCRIPT NODE_MODULES ARGS`; returns stdout; *ok = exit status 0.
inline std::string run_oracle(const std::string& script, const std::string& args, bool* ok,
                              const std::string& env = "") {
  std::string cmd = env + " node '" + std::string(HUBD_SOURCE_DIR) + "/tests/storage/xet/" + script + "' '" +
                    node_modules().string() + "' " + args;
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    *ok = false;
    return out;
  }
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  *ok = pclose(p) == 0;
  return out;
}

}  // namespace hub::storage::xet::testing
