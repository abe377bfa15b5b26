// Test helper: generates the tiny torch fixtures (tests/inference/make_fixtures.py) once per
// build directory, under a file lock so parallel ctest processes share one generation.
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

namespace hub::inference::testing {

// The fixtures directory, or "" when /usr/bin/python3 with torch is unavailable (the reason
// goes to *why).
inline std::string torch_fixtures_dir(std::string* why) {
  namespace fs = std::filesystem;
  const std::string script = std::string(HUBD_SOURCE_DIR) + "/tests/inference/make_fixtures.py";
  const std::string dir = std::string(HUBD_BINARY_DIR) + "/tests/inference/fixtures";
  if (!fs::exists("/usr/bin/python3")) {
    *why = "/usr/bin/python3 absent";
    return "";
  }
  std::ifstream in(script);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string stamp = std::to_string(std::hash<std::string>{}(ss.str()));
  fs::create_directories(dir);
  int lock = ::open((dir + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    *why = "cannot lock fixtures dir";
    return "";
  }
  std::string have;
  std::ifstream(dir + "/STAMP") >> have;
  std::string result = dir;
  if (have != stamp) {
    std::string cmd = "/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) {
      *why = "python3 torch/numpy absent";
      result.clear();
    } else {
      cmd = "/usr/bin/python3 '" + script + "' '" + dir + "'";
      if (std::system(cmd.c_str()) != 0) {
        *why = "make_fixtures.py failed";
        result = "!";
      } else {
        std::ofstream(dir + "/STAMP") << stamp;
      }
    }
  }
  ::flock(lock, LOCK_UN);
  ::close(lock);
  return result;
}

}  // namespace hub::inference::testing
