// The tensor table of a .safetensors file for the file view: reads the header (8-byte
// little-endian length, then that many bytes of JSON) and lists name, dtype, shape. Bounded:
// headers over max_header_bytes are refused, at most max_tensors rows are kept. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hub::web {

struct TensorInfo {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  uint64_t elements = 0;
};

struct SafetensorsHeader {
  std::vector<TensorInfo> tensors;  // sorted by name
  uint64_t total_tensors = 0;
  uint64_t total_parameters = 0;    // over all tensors, also those not kept
  std::vector<std::pair<std::string, std::string>> metadata;  // __metadata__ string pairs
};

inline constexpr uint64_t kMaxSafetensorsHeader = 8 << 20;

// The header length from the first 8 bytes; invalid_argument if too short or over the limit.
Result<uint64_t> safetensors_header_length(std::string_view first8, uint64_t max_header_bytes = kMaxSafetensorsHeader);
// Parses the JSON header text; corrupt if it is not a valid safetensors header.
Result<SafetensorsHeader> parse_safetensors_header(std::string_view json_text, size_t max_tensors = 5000);

}  // namespace hub::web
