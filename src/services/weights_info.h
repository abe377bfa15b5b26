// Header-only summaries of weight files for the repo API's `safetensors` and `gguf` fields:
// parameter counts by dtype from a safetensors header, architecture / context length /
// parameter total from a GGUF header. The files are untrusted and may be huge, so only the
// header is read, through a caller-supplied ReadAt, and everything is bounded: header bytes,
// counts, string lengths, total bytes read. A lying header (length past the file end, tensor
// offsets outside the data, sizes that do not match shapes) is an error, never a crash.
// Pure functions (plus the ReadAt the caller gives): thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "core/json.h"
#include "core/result.h"

namespace hub::services {

// Reads [offset, offset + length) of the file; may return fewer bytes only at the end.
using ReadAt = std::function<Result<std::string>(uint64_t offset, uint64_t length)>;

struct WeightLimits {
  uint64_t max_safetensors_header = 100ull << 20;  // the Hub's own cap on the JSON header
  uint64_t max_gguf_read = 64ull << 20;            // bytes of a GGUF file read for its header
  uint64_t max_count = 1u << 20;                   // tensors, KV pairs
  uint64_t max_array = 16u << 20;                  // elements of one GGUF array
  uint64_t max_chat_template = 64u << 10;
};

struct SafetensorsInfo {
  std::map<std::string, int64_t> parameters;  // dtype -> parameter count
  int64_t total = 0;
  int64_t tensors = 0;
};

// invalid_argument/corrupt/too_large with a message saying what is wrong.
Result<SafetensorsInfo> read_safetensors_info(const ReadAt& read, uint64_t file_size,
                                              const WeightLimits& limits = {});

struct GgufInfo {
  std::string architecture;
  std::optional<int64_t> context_length;
  std::optional<std::string> chat_template;
  int64_t total = 0;  // parameters, summed over tensor shapes
  int64_t tensors = 0;
};

Result<GgufInfo> read_gguf_info(const ReadAt& read, uint64_t file_size, const WeightLimits& limits = {});

// The API shapes: {"parameters": {dtype: n}, "total": n} and {"total", "architecture", ...}.
json::object safetensors_json(const SafetensorsInfo& s);
json::object gguf_json(const GgufInfo& g);

}  // namespace hub::services
