// The tiny random decoders of make_decoder_fixtures.py (llama_gqa, qwen2_bias, mistral_mqa,
// gpt2_tiny, each with ref.safetensors), generated once per build dir for every test binary
// that needs them.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace hub::inference {

// Generates the fixtures once per build dir (file lock: ctest runs cases in parallel
// processes); "" when /usr/bin/python3 + torch are absent.
inline std::string fixtures_dir() {
  static std::string cached = [] {
    const std::string script = std::string(HUBD_SOURCE_DIR) + "/tests/inference/generation/make_decoder_fixtures.py";
    const std::string dir = std::string(HUBD_BINARY_DIR) + "/tests/inference/decoder_fixtures";
    if (!std::filesystem::exists("/usr/bin/python3")) return std::string();
    std::stringstream ss;
    ss << std::ifstream(script).rdbuf();
    const std::string stamp = std::to_string(std::hash<std::string>{}(ss.str()));
    std::filesystem::create_directories(dir);
    int lock = ::open((dir + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) return std::string();
    std::string have, result = dir;
    std::ifstream(dir + "/STAMP") >> have;
    if (have != stamp) {
      if (std::system("/usr/bin/python3 -c 'import torch' 2>/dev/null") != 0) {
        result.clear();
      } else if (std::system(("/usr/bin/python3 '" + script + "' '" + dir + "'").c_str()) != 0) {
        result = "!";
      } else {
        std::ofstream(dir + "/STAMP") << stamp;
      }
    }
    ::flock(lock, LOCK_UN);
    ::close(lock);
    return result;
  }();
  return cached;
}

}  // namespace hub::inference
