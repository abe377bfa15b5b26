// Test helper: loads the event files in tests/tensorboard/fixtures (written by our own
// write_events.py) and its expected.json. Header-only.
#pragma once

#include <bit>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/json.h"
#include "tensorboard/scalars.h"

namespace hub::tensorboard::testing {

inline std::string fixture_dir() { return std::string(HUBD_SOURCE_DIR) + "/tests/tensorboard/fixtures"; }

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Fixtures {
  std::vector<std::string> contents;  // owns the bytes the EventFiles borrow
  std::vector<EventFile> files;
  json::value expected;
};

inline Fixtures load_fixtures() {
  Fixtures fx;
  auto parsed = json::parse(slurp(fixture_dir() + "/expected.json"));
  if (!parsed) return fx;
  fx.expected = *parsed;
  const auto& names = fx.expected.as_object().at("files").as_array();
  fx.contents.reserve(names.size());
  for (const auto& n : names) {
    const std::string path(n.as_string());
    fx.contents.push_back(slurp(fixture_dir() + "/" + path));
    fx.files.push_back({path, std::as_bytes(std::span(fx.contents.back()))});
  }
  return fx;
}

// JSON integers may come back as int64 or uint64 depending on magnitude.
inline uint64_t as_u64(const json::value& v) {
  return v.is_uint64() ? v.as_uint64() : static_cast<uint64_t>(v.as_int64());
}

inline double bits_to_double(const json::value& v) { return std::bit_cast<double>(as_u64(v)); }

}  // namespace hub::tensorboard::testing
