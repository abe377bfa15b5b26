// The tiny random decoders of make_decoder_fixtures.py (llama_gqa, qwen2_bias, mistral_mqa,
// gpt2_tiny, each with ref.safetensors), generated once per build dir for every test binary
// that needs them.
#pragma once

#include <string>

#include "torch_fixtures.h"

namespace hub::inference {

// Generates the fixtures once per build dir (file lock: ctest runs cases in parallel
// processes); "" when /usr/bin/python3 + torch are absent.
inline std::string fixtures_dir() {
  static std::string cached = hub::testing::torch_fixtures(
      std::string(HUBD_SOURCE_DIR) + "/tests/inference/generation/make_decoder_fixtures.py",
      std::string(HUBD_BINARY_DIR) + "/tests/inference/decoder_fixtures");
  return cached;
}

}  // namespace hub::inference
