#include "inference/safetensors/safetensors.h"

#include <algorithm>
#include <cstring>

#include "core/json.h"

namespace hub::inference::safetensors {

namespace {

// A non-negative JSON integer as uint64, or nullopt (negative, fractional, not a number).
std::optional<uint64_t> as_u64(const boost::json::value& v) {
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0) return uint64_t(v.get_int64());
  return std::nullopt;
}

Result<TensorInfo> parse_entry(std::string_view name, const boost::json::value& v,
                               uint64_t data_size) {
  auto bad = [&](std::string_view why) {
    return fail(Errc::corrupt, "safetensors: tensor '" + std::string(name) + "': " + std::string(why));
  };
  if (!v.is_object()) return bad("entry is not an object");
  const auto& o = v.get_object();
  TensorInfo t;
  t.name = std::string(name);
  auto dtype = json::get_string(o, "dtype");
  if (!dtype) return bad("missing dtype");
  auto dt = dtype_from_name(*dtype);
  if (!dt) return bad("unknown dtype '" + std::string(*dtype) + "'");
  t.dtype = *dt;
  const auto* shape = json::get_array(o, "shape");
  if (!shape) return bad("missing shape");
  if (shape->size() > 8) return bad("rank > 8");
  uint64_t numel = 1;
  // The product of the non-zero dimensions must fit int64 too: with a 0 anywhere numel is 0,
  // but code multiplying the shape left to right (TensorInfo::numel, Shape) would overflow
  // on [2, 2^62, 0] before reaching the 0.
  uint64_t nonzero = 1;
  for (const auto& d : *shape) {
    auto n = as_u64(d);
    if (!n || *n > uint64_t(INT64_MAX)) return bad("shape entries must be non-negative integers");
    if (__builtin_mul_overflow(numel, *n, &numel)) return bad("shape overflows");
    if (*n != 0 && (__builtin_mul_overflow(nonzero, *n, &nonzero) || nonzero > uint64_t(INT64_MAX)))
      return bad("shape overflows");
    t.shape.push_back(int64_t(*n));
  }
  uint64_t nbytes;
  if (__builtin_mul_overflow(numel, uint64_t(dtype_size(t.dtype)), &nbytes))
    return bad("byte size overflows");
  const auto* offs = json::get_array(o, "data_offsets");
  if (!offs || offs->size() != 2) return bad("data_offsets must be [begin, end]");
  auto b = as_u64((*offs)[0]), e = as_u64((*offs)[1]);
  if (!b || !e) return bad("data_offsets must be non-negative integers");
  if (*b > *e) return bad("data_offsets begin > end");
  if (*e > data_size) return bad("data_offsets past the end of the file");
  if (*e - *b != nbytes) return bad("data_offsets length does not match shape and dtype");
  t.begin = *b;
  t.end = *e;
  return t;
}

}  // namespace

int64_t TensorInfo::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Result<Header> parse_header(std::span<const uint8_t> bytes) {
  if (bytes.size() < 8) return fail(Errc::corrupt, "safetensors: file shorter than 8 bytes");
  uint64_t len = 0;
  for (int i = 7; i >= 0; --i) len = (len << 8) | bytes[size_t(i)];
  if (len > kMaxHeaderBytes) return fail(Errc::corrupt, "safetensors: header length too large");
  if (len > bytes.size() - 8) return fail(Errc::corrupt, "safetensors: header length past end of file");
  std::string_view text(reinterpret_cast<const char*>(bytes.data() + 8), size_t(len));
  auto doc = json::parse(text);
  if (!doc) return fail(Errc::corrupt, "safetensors: header is not JSON: " + doc.error().message);
  if (!doc->is_object()) return fail(Errc::corrupt, "safetensors: header is not a JSON object");
  Header h;
  h.data_offset = 8 + len;
  uint64_t data_size = bytes.size() - h.data_offset;
  for (const auto& kv : doc->get_object()) {
    std::string_view key(kv.key().data(), kv.key().size());
    if (key == "__metadata__") {
      if (!kv.value().is_object()) return fail(Errc::corrupt, "safetensors: __metadata__ is not an object");
      for (const auto& m : kv.value().get_object()) {
        if (!m.value().is_string())
          return fail(Errc::corrupt, "safetensors: __metadata__ values must be strings");
        h.metadata[std::string(m.key())] = std::string(m.value().get_string());
      }
      continue;
    }
    HUB_TRY(t, parse_entry(key, kv.value(), data_size));
    h.tensors.push_back(std::move(t));
  }
  // Extents must not overlap (zero-length tensors occupy nothing).
  std::vector<const TensorInfo*> by_offset;
  for (const auto& t : h.tensors)
    if (t.end > t.begin) by_offset.push_back(&t);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const TensorInfo* a, const TensorInfo* b) { return a->begin < b->begin; });
  for (size_t i = 1; i < by_offset.size(); ++i)
    if (by_offset[i]->begin < by_offset[i - 1]->end)
      return fail(Errc::corrupt, "safetensors: tensors '" + by_offset[i - 1]->name + "' and '" +
                                     by_offset[i]->name + "' overlap");
  std::sort(h.tensors.begin(), h.tensors.end(),
            [](const TensorInfo& a, const TensorInfo& b) { return a.name < b.name; });
  for (size_t i = 1; i < h.tensors.size(); ++i)
    if (h.tensors[i].name == h.tensors[i - 1].name)
      return fail(Errc::corrupt, "safetensors: duplicate tensor '" + h.tensors[i].name + "'");
  return h;
}

Result<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  auto m = MappedFile::open(path);
  if (!m) return std::unexpected(m.error());
  SafetensorsFile f;
  f.path_ = path;
  f.map_ = std::make_shared<const MappedFile>(std::move(*m));
  auto h = parse_header(f.map_->bytes());
  if (!h) return fail(h.error().code, path + ": " + h.error().message);
  f.header_ = std::move(*h);
  return f;
}

const TensorInfo* SafetensorsFile::find(std::string_view name) const {
  auto it = std::lower_bound(header_.tensors.begin(), header_.tensors.end(), name,
                             [](const TensorInfo& t, std::string_view n) { return t.name < n; });
  if (it == header_.tensors.end() || it->name != name) return nullptr;
  return &*it;
}

std::span<const uint8_t> SafetensorsFile::raw(const TensorInfo& t) const {
  return map_->bytes().subspan(size_t(header_.data_offset + t.begin), size_t(t.end - t.begin));
}

Result<Tensor> SafetensorsFile::load_f32(std::string_view name) const {
  const TensorInfo* t = find(name);
  if (!t) return fail(Errc::not_found, path_ + ": no tensor '" + std::string(name) + "'");
  if (t->shape.size() > size_t(kMaxRank))
    return fail(Errc::unsupported, path_ + ": tensor '" + t->name + "' has rank > 4");
  if (t->dtype != DType::f32 && t->dtype != DType::f16 && t->dtype != DType::bf16 &&
      t->dtype != DType::f64)
    return fail(Errc::unsupported, path_ + ": tensor '" + t->name + "' has dtype " +
                                       std::string(dtype_name(t->dtype)) + ", not a float type");
  Shape shape(std::span<const int64_t>(t->shape.data(), t->shape.size()));
  auto bytes = raw(*t);
  if (t->dtype == DType::f32 && reinterpret_cast<uintptr_t>(bytes.data()) % alignof(float) == 0) {
    // Zero copy: the tensor views the mapping and holds it alive. The mapping is read-only;
    // the const_cast only adapts to Tensor's mutable pointer type (weights are never written).
    auto* p = const_cast<float*>(reinterpret_cast<const float*>(bytes.data()));
    return Tensor::view(p, shape, map_);
  }
  Tensor out = Tensor::empty(shape);
  convert_to_f32(t->dtype, bytes.data(), out.data(), size_t(t->numel()));
  return out;
}

Result<Bf16Matrix> SafetensorsFile::load_bf16(std::string_view name) const {
  const TensorInfo* t = find(name);
  if (!t) return fail(Errc::not_found, path_ + ": no tensor '" + std::string(name) + "'");
  if (t->dtype != DType::bf16 || t->shape.size() != 2)
    return fail(Errc::unsupported, path_ + ": tensor '" + t->name + "' is not a rank-2 BF16 tensor");
  auto bytes = raw(*t);  // parse_header checked: exactly rows * cols * 2 bytes, inside the file
  Bf16Matrix m;
  m.rows = t->shape[0], m.cols = t->shape[1];
  if (reinterpret_cast<uintptr_t>(bytes.data()) % alignof(uint16_t) == 0) {
    m.data = reinterpret_cast<const uint16_t*>(bytes.data());
    m.keepalive = map_;
    return m;
  }
  // An odd data offset (legal in the format, never written by the reference writer).
  auto copy = std::shared_ptr<uint16_t[]>(new uint16_t[std::max<size_t>(1, bytes.size() / 2)]);
  std::memcpy(copy.get(), bytes.data(), bytes.size());
  m.data = copy.get();
  m.keepalive = std::move(copy);
  return m;
}

}  // namespace hub::inference::safetensors
