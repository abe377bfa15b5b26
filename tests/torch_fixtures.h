// Test helper: runs a Python fixture script (/usr/bin/python3, which has torch) once per build
// directory, under a file lock so parallel ctest processes share one generation, and again only
// when the script or what it imports (`stamp_sources`) changes.
#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <sstream>
#include <string>

namespace hub::testing {

// `dir` once `script DIR` has filled it; "" when /usr/bin/python3 with torch and numpy is
// unavailable; "!" when the script failed. The reason for "" or "!" goes to *why when given.
inline std::string torch_fixtures(const std::string& script, const std::string& dir,
                                  std::initializer_list<std::string> stamp_sources = {}, std::string* why = nullptr) {
  auto say = [&](const char* w) {
    if (why) *why = w;
  };
  if (!std::filesystem::exists("/usr/bin/python3")) {
    say("/usr/bin/python3 absent");
    return "";
  }
  std::stringstream ss;
  ss << std::ifstream(script).rdbuf();
  for (const auto& s : stamp_sources) ss << std::ifstream(s).rdbuf();
  const std::string stamp = std::to_string(std::hash<std::string>{}(ss.str()));
  std::filesystem::create_directories(dir);
  int lock = ::open((dir + ".lock").c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
    if (lock >= 0) ::close(lock);
    say("cannot lock the fixtures dir");
    return "";
  }
  std::string have, result = dir;
  std::ifstream(dir + "/STAMP") >> have;
  if (have != stamp) {
    if (std::system("/usr/bin/python3 -c 'import torch, numpy' 2>/dev/null") != 0) {
      say("python3 torch/numpy absent");
      result.clear();
    } else if (std::system(("/usr/bin/python3 '" + script + "' '" + dir + "'").c_str()) != 0) {
      say("the fixture script failed");
      result = "!";
    } else {
      std::ofstream(dir + "/STAMP") << stamp;
    }
  }
  ::flock(lock, LOCK_UN);
  ::close(lock);
  return result;
}

}  // namespace hub::testing
