// Fuzz target: the three readers of .safetensors headers, all fed the same file image:
//  - inference/safetensors: parse_header over the whole image, then SafetensorsFile::open on
//    it (through a memfd) and load_f32 / load_bf16 of the first tensors (dtype conversion);
//  - web/safetensors_header.h: the file view's header-length and tensor-table parser;
//  - services/weights_info.h: the repo API's parameter counts, read through ReadAt.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "inference/safetensors/safetensors.h"
#include "services/weights_info.h"
#include "web/safetensors_header.h"

using namespace hub;

namespace {

// The image as a file the real open() path maps.
std::string memfd_path(const uint8_t* data, size_t size, int& fd) {
  fd = memfd_create("fuzz.safetensors", 0);
  if (fd < 0) return {};
  size_t off = 0;
  while (off < size) {
    ssize_t n = ::write(fd, data + off, size - off);
    if (n <= 0) break;
    off += size_t(n);
  }
  return "/proc/self/fd/" + std::to_string(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  namespace st = inference::safetensors;
  if (auto h = st::parse_header(bytes)) {
    for (const auto& t : h->tensors) {
      (void)t.numel();
      if (t.end > size - h->data_offset) __builtin_trap();
    }
    int fd = -1;
    std::string path = memfd_path(data, size, fd);
    if (auto f = st::SafetensorsFile::open(path)) {
      int n = 0;
      for (const auto& t : f->tensors()) {
        if (++n > 8) break;
        (void)f->raw(t);
        (void)f->load_f32(t.name);
        (void)f->load_bf16(t.name);
      }
    }
    if (fd >= 0) ::close(fd);
  }

  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size >= 8)
    if (auto len = web::safetensors_header_length(text.substr(0, 8)); len && *len <= size - 8)
      (void)web::parse_safetensors_header(text.substr(8, size_t(*len)), 64);

  services::ReadAt read = [&](uint64_t offset, uint64_t length) -> Result<std::string> {
    if (offset >= size) return std::string();
    return std::string(text.substr(size_t(offset), size_t(std::min<uint64_t>(length, size - offset))));
  };
  services::WeightLimits limits;
  limits.max_safetensors_header = 1 << 20;
  (void)services::read_safetensors_info(read, size, limits);
  return 0;
}
