#include "services/weights_info.h"

#include <cstring>
#include <limits>

namespace hub::services {

namespace {

uint64_t le_u64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Bytes per element of the safetensors dtypes; 0 = unknown.
double dtype_bytes(std::string_view d) {
  if (d == "F64" || d == "I64" || d == "U64") return 8;
  if (d == "F32" || d == "I32" || d == "U32") return 4;
  if (d == "F16" || d == "BF16" || d == "I16" || d == "U16") return 2;
  if (d == "I8" || d == "U8" || d == "BOOL" || d == "F8_E4M3" || d == "F8_E5M2" || d == "F8_E8M0") return 1;
  if (d == "F4" || d == "F6_E2M3" || d == "F6_E3M2") return 0.5;  // packed; sizes checked loosely
  return 0;
}

bool mul_overflows(uint64_t a, uint64_t b, uint64_t& out) { return __builtin_mul_overflow(a, b, &out); }

}  // namespace

Result<SafetensorsInfo> read_safetensors_info(const ReadAt& read, uint64_t file_size, const WeightLimits& limits) {
  if (file_size < 8) return fail(Errc::corrupt, "safetensors file shorter than its 8-byte header length");
  auto head = read(0, 8);
  if (!head) return std::unexpected(head.error());
  if (head->size() < 8) return fail(Errc::corrupt, "safetensors file shorter than its 8-byte header length");
  uint64_t n = le_u64(head->data());
  if (n > limits.max_safetensors_header)
    return fail(Errc::too_large, "safetensors header of " + std::to_string(n) + " bytes exceeds the " +
                                     std::to_string(limits.max_safetensors_header) + "-byte limit");
  if (n > file_size - 8) return fail(Errc::corrupt, "safetensors header length runs past the end of the file");
  auto text = read(8, n);
  if (!text) return std::unexpected(text.error());
  if (text->size() != n) return fail(Errc::corrupt, "safetensors header truncated");
  auto doc = json::parse(*text, 8);
  if (!doc) return fail(Errc::corrupt, "safetensors header is not valid JSON: " + doc.error().message);
  if (!doc->is_object()) return fail(Errc::corrupt, "safetensors header is not a JSON object");
  uint64_t data_size = file_size - 8 - n;
  SafetensorsInfo info;
  for (const auto& [name, v] : doc->as_object()) {
    if (name == "__metadata__") continue;
    if (uint64_t(++info.tensors) > limits.max_count) return fail(Errc::too_large, "too many tensors");
    std::string where = "tensor '" + std::string(name.substr(0, 100)) + "'";
    if (!v.is_object()) return fail(Errc::corrupt, where + " is not an object");
    const auto& t = v.as_object();
    auto dtype = json::get_string(t, "dtype");
    auto* shape = json::get_array(t, "shape");
    auto* offsets = json::get_array(t, "data_offsets");
    if (!dtype || !shape || !offsets || offsets->size() != 2)
      return fail(Errc::corrupt, where + " lacks dtype, shape or data_offsets");
    double width = dtype_bytes(*dtype);
    if (width == 0) return fail(Errc::corrupt, where + " has unknown dtype " + std::string(dtype->substr(0, 20)));
    uint64_t numel = 1;
    for (const auto& d : *shape) {
      if (!d.is_int64() && !d.is_uint64()) return fail(Errc::corrupt, where + " has a non-integer dimension");
      if (d.is_int64() && d.get_int64() < 0) return fail(Errc::corrupt, where + " has a negative dimension");
      uint64_t dim = d.is_uint64() ? d.get_uint64() : uint64_t(d.get_int64());
      if (mul_overflows(numel, dim, numel)) return fail(Errc::corrupt, where + " has an overflowing shape");
    }
    auto off = [&](size_t i) -> std::optional<uint64_t> {
      const auto& o = (*offsets)[i];
      if (o.is_uint64()) return o.get_uint64();
      if (o.is_int64() && o.get_int64() >= 0) return uint64_t(o.get_int64());
      return std::nullopt;
    };
    auto begin = off(0), end = off(1);
    if (!begin || !end || *begin > *end) return fail(Errc::corrupt, where + " has invalid data_offsets");
    if (*end > data_size) return fail(Errc::corrupt, where + " has data_offsets past the end of the file");
    double expect = double(numel) * width;
    if (width >= 1 && double(*end - *begin) != expect)
      return fail(Errc::corrupt, where + " byte size does not match its shape and dtype");
    if (numel > uint64_t(std::numeric_limits<int64_t>::max() - info.total))
      return fail(Errc::corrupt, "parameter count overflows");
    info.parameters[std::string(*dtype)] += int64_t(numel);
    info.total += int64_t(numel);
  }
  return info;
}

namespace {

// Sequential reader over ReadAt with a budget on the bytes fetched.
class Cursor {
 public:
  Cursor(const ReadAt& read, uint64_t size, uint64_t budget) : read_(read), size_(size), budget_(budget) {}

  Result<std::string_view> take(uint64_t n) {
    if (n > size_ - std::min(pos_, size_)) return fail(Errc::corrupt, "GGUF header runs past the end of the file");
    if (pos_ + n > budget_) return fail(Errc::too_large, "GGUF header larger than the read limit");
    if (pos_ < buf_start_ || pos_ + n > buf_start_ + buf_.size()) {
      uint64_t want = std::max<uint64_t>(n, 1u << 20);
      want = std::min(want, budget_ - pos_);
      auto got = read_(pos_, want);
      if (!got) return std::unexpected(got.error());
      if (got->size() < n) return fail(Errc::corrupt, "GGUF header truncated");
      buf_ = std::move(*got);
      buf_start_ = pos_;
    }
    std::string_view v(buf_.data() + (pos_ - buf_start_), n);
    pos_ += n;
    return v;
  }
  template <class T>
  Result<T> num() {
    auto b = take(sizeof(T));
    if (!b) return std::unexpected(b.error());
    T v;
    std::memcpy(&v, b->data(), sizeof(T));  // GGUF is little-endian, as are our targets
    return v;
  }
  Result<std::string> str(uint64_t max) {
    auto n = num<uint64_t>();
    if (!n) return std::unexpected(n.error());
    if (*n > max) {
      // Skip it: only strings we keep are bounded by `max`.
      if (*n > size_) return fail(Errc::corrupt, "GGUF string length past the end of the file");
      auto s = take(*n);
      if (!s) return std::unexpected(s.error());
      return std::string();
    }
    auto s = take(*n);
    if (!s) return std::unexpected(s.error());
    return std::string(*s);
  }

 private:
  const ReadAt& read_;
  uint64_t size_, budget_, pos_ = 0, buf_start_ = 0;
  std::string buf_;
};

int scalar_size(uint32_t type) {
  switch (type) {
    case 0: case 1: case 7: return 1;
    case 2: case 3: return 2;
    case 4: case 5: case 6: return 4;
    case 10: case 11: case 12: return 8;
    default: return 0;
  }
}

// Reads one value of `type`; integers land in *as_int (when wanted), strings in *as_str.
Result<void> gguf_value(Cursor& c, uint32_t type, const WeightLimits& lim, std::optional<int64_t>* as_int,
                        std::optional<std::string>* as_str, int depth = 0) {
  if (type == 8) {
    auto s = c.str(as_str ? lim.max_chat_template : 0);
    if (!s) return std::unexpected(s.error());
    if (as_str && !s->empty()) *as_str = std::move(*s);
    return {};
  }
  if (type == 9) {
    if (depth > 2) return fail(Errc::corrupt, "GGUF arrays nested too deep");
    auto et = c.num<uint32_t>();
    if (!et) return std::unexpected(et.error());
    auto n = c.num<uint64_t>();
    if (!n) return std::unexpected(n.error());
    if (*n > lim.max_array) return fail(Errc::too_large, "GGUF array too long");
    if (int w = scalar_size(*et); w) {
      auto skip = c.take(*n * uint64_t(w));
      if (!skip) return std::unexpected(skip.error());
      return {};
    }
    for (uint64_t i = 0; i < *n; ++i)
      if (auto r = gguf_value(c, *et, lim, nullptr, nullptr, depth + 1); !r) return r;
    return {};
  }
  int w = scalar_size(type);
  if (!w) return fail(Errc::corrupt, "GGUF value of unknown type " + std::to_string(type));
  auto b = c.take(uint64_t(w));
  if (!b) return std::unexpected(b.error());
  if (as_int && type != 6 && type != 12 && type != 7) {
    int64_t v = 0;
    if (type == 0) v = uint8_t((*b)[0]);
    else if (type == 1) v = int8_t((*b)[0]);
    else if (type == 2) { uint16_t x; std::memcpy(&x, b->data(), 2); v = x; }
    else if (type == 3) { int16_t x; std::memcpy(&x, b->data(), 2); v = x; }
    else if (type == 4) { uint32_t x; std::memcpy(&x, b->data(), 4); v = x; }
    else if (type == 5) { int32_t x; std::memcpy(&x, b->data(), 4); v = x; }
    else { std::memcpy(&v, b->data(), 8); }
    *as_int = v;
  }
  return {};
}

}  // namespace

Result<GgufInfo> read_gguf_info(const ReadAt& read, uint64_t file_size, const WeightLimits& limits) {
  Cursor c(read, file_size, limits.max_gguf_read);
  auto magic = c.take(4);
  if (!magic) return std::unexpected(magic.error());
  if (*magic != "GGUF") return fail(Errc::corrupt, "not a GGUF file (bad magic)");
  auto version = c.num<uint32_t>();
  if (!version) return std::unexpected(version.error());
  if (*version < 2 || *version > 3) return fail(Errc::unsupported, "GGUF version " + std::to_string(*version));
  auto n_tensors = c.num<uint64_t>();
  if (!n_tensors) return std::unexpected(n_tensors.error());
  auto n_kv = c.num<uint64_t>();
  if (!n_kv) return std::unexpected(n_kv.error());
  if (*n_tensors > limits.max_count || *n_kv > limits.max_count) return fail(Errc::too_large, "GGUF counts too large");
  GgufInfo info;
  std::map<std::string, int64_t> ints;
  for (uint64_t i = 0; i < *n_kv; ++i) {
    auto key = c.str(1024);
    if (!key) return std::unexpected(key.error());
    auto type = c.num<uint32_t>();
    if (!type) return std::unexpected(type.error());
    std::optional<int64_t> iv;
    std::optional<std::string> sv;
    bool want_str = *key == "general.architecture" || *key == "tokenizer.chat_template";
    if (auto r = gguf_value(c, *type, limits, &iv, want_str ? &sv : nullptr); !r) return std::unexpected(r.error());
    if (*key == "general.architecture" && sv) info.architecture = sv->substr(0, 100);
    if (*key == "tokenizer.chat_template" && sv) info.chat_template = std::move(*sv);
    if (iv && key->ends_with(".context_length")) ints[*key] = *iv;
  }
  if (auto it = ints.find(info.architecture + ".context_length"); it != ints.end()) info.context_length = it->second;
  for (uint64_t i = 0; i < *n_tensors; ++i) {
    auto name = c.str(0);
    if (!name) return std::unexpected(name.error());
    auto n_dims = c.num<uint32_t>();
    if (!n_dims) return std::unexpected(n_dims.error());
    if (*n_dims > 8) return fail(Errc::corrupt, "GGUF tensor with more than 8 dimensions");
    uint64_t numel = 1;
    for (uint32_t d = 0; d < *n_dims; ++d) {
      auto dim = c.num<uint64_t>();
      if (!dim) return std::unexpected(dim.error());
      if (mul_overflows(numel, *dim, numel)) return fail(Errc::corrupt, "GGUF tensor shape overflows");
    }
    if (auto skip = c.take(4 + 8); !skip) return std::unexpected(skip.error());  // type, offset
    if (numel > uint64_t(std::numeric_limits<int64_t>::max() - info.total))
      return fail(Errc::corrupt, "GGUF parameter count overflows");
    info.total += int64_t(numel);
    ++info.tensors;
  }
  return info;
}

json::object safetensors_json(const SafetensorsInfo& s) {
  json::object params;
  for (const auto& [k, v] : s.parameters) params[k] = v;
  return json::object{{"parameters", std::move(params)}, {"total", s.total}};
}

json::object gguf_json(const GgufInfo& g) {
  json::object o{{"total", g.total}};
  if (!g.architecture.empty()) o["architecture"] = g.architecture;
  if (g.context_length) o["context_length"] = *g.context_length;
  if (g.chat_template) o["chat_template"] = *g.chat_template;
  return o;
}

}  // namespace hub::services
