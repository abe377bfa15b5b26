// Fuzz target: services/weights_info.h's GGUF header reader (the repo API's `gguf` field:
// architecture, context length, chat template, parameter total), which reads a pushed file's
// header through ReadAt with every count and length bounded.
#include <cstdint>
#include <string>
#include <string_view>

#include "services/weights_info.h"

using namespace hub;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  uint64_t reads = 0;
  services::ReadAt read = [&](uint64_t offset, uint64_t length) -> Result<std::string> {
    ++reads;
    if (offset >= size) return std::string();
    return std::string(text.substr(size_t(offset), size_t(std::min<uint64_t>(length, size - offset))));
  };
  services::WeightLimits limits;
  limits.max_gguf_read = 1 << 20;
  limits.max_count = 1 << 12;
  limits.max_array = 1 << 16;
  if (auto g = services::read_gguf_info(read, size, limits)) (void)services::gguf_json(*g);
  return 0;
}
