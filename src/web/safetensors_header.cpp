#include "web/safetensors_header.h"

#include <algorithm>

#include "core/json.h"

namespace hub::web {

Result<uint64_t> safetensors_header_length(std::string_view first8, uint64_t max_header_bytes) {
  if (first8.size() < 8) return fail(Errc::invalid_argument, "file too short for a safetensors header");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | uint8_t(first8[size_t(i)]);
  if (n < 2 || n > max_header_bytes)
    return fail(Errc::invalid_argument, "safetensors header length " + std::to_string(n) + " out of range");
  return n;
}

Result<SafetensorsHeader> parse_safetensors_header(std::string_view json_text, size_t max_tensors) {
  auto v = json::parse(json_text, 16);
  if (!v || !v->is_object()) return fail(Errc::corrupt, "safetensors header is not a JSON object");
  SafetensorsHeader h;
  for (auto& [key, val] : v->get_object()) {
    if (key == "__metadata__") {
      if (val.is_object())
        for (auto& [mk, mv] : val.get_object())
          if (mv.is_string() && h.metadata.size() < 64) h.metadata.emplace_back(std::string(mk), std::string(mv.get_string()));
      continue;
    }
    if (!val.is_object()) return fail(Errc::corrupt, "tensor entry is not an object");
    const auto& o = val.get_object();
    auto dtype = json::get_string(o, "dtype");
    const json::array* shape = json::get_array(o, "shape");
    if (!dtype || !shape) return fail(Errc::corrupt, "tensor entry without dtype or shape");
    TensorInfo t;
    t.name = std::string(key);
    t.dtype = std::string(*dtype);
    t.elements = 1;
    for (auto& d : *shape) {
      if (!d.is_int64() && !d.is_uint64()) return fail(Errc::corrupt, "tensor shape is not a list of integers");
      int64_t n = d.is_int64() ? d.get_int64() : int64_t(d.get_uint64());
      if (n < 0) return fail(Errc::corrupt, "negative tensor dimension");
      t.shape.push_back(n);
      t.elements *= uint64_t(n);
    }
    ++h.total_tensors;
    h.total_parameters += t.elements;
    if (h.tensors.size() < max_tensors) h.tensors.push_back(std::move(t));
  }
  std::sort(h.tensors.begin(), h.tensors.end(), [](auto& a, auto& b) { return a.name < b.name; });
  return h;
}

}  // namespace hub::web
