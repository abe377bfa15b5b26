#include "tensorboard/event.h"

#include <bit>
#include <cmath>

#include "tensorboard/proto_wire.h"

namespace hub::tensorboard {
namespace {

using proto::Field;
using proto::Reader;
using proto::WireType;

// Field numbers, from TensorFlow's event.proto, summary.proto, tensor.proto, tensor_shape.proto.
namespace event_field {
constexpr uint32_t wall_time = 1, step = 2, file_version = 3, summary = 5;
}
namespace summary_field {
constexpr uint32_t value = 1;
}
namespace value_field {
constexpr uint32_t tag = 1, simple_value = 2, old_histogram = 3, image = 4, histo = 5,
                   audio = 6, tensor = 8, metadata = 9;
}
namespace metadata_field {
constexpr uint32_t plugin_data = 1;
}
namespace plugin_field {
constexpr uint32_t plugin_name = 1;
}
namespace tensor_field {
constexpr uint32_t dtype = 1, shape = 2, content = 4, float_val = 5, double_val = 6,
                   half_val = 13;
}
namespace shape_field {
constexpr uint32_t dim = 1, unknown_rank = 3;
}
namespace dim_field {
constexpr uint32_t size = 1;
}

// Malformed nested messages make the whole event corrupt, as a protobuf parser would: the
// helpers below clear `ok` rather than guessing at partial content.
bool walk_failed(const Reader& r) { return r.error() != nullptr; }

std::string_view read_plugin_name(std::span<const std::byte> metadata, bool& ok) {
  std::string_view name;
  Reader r(metadata);
  Field f;
  while (r.next(f)) {
    if (f.number != metadata_field::plugin_data || f.type != WireType::len) continue;
    Reader pr(f.bytes);
    Field pf;
    while (pr.next(pf))
      if (pf.number == plugin_field::plugin_name && pf.type == WireType::len)
        name = pf.as_string();
    if (walk_failed(pr)) ok = false;
  }
  if (walk_failed(r)) ok = false;
  return name;
}

// True when the shape has exactly one element: rank 0, or every dimension of size 1.
bool shape_is_single(std::span<const std::byte> shape, bool& ok) {
  bool single = true;
  Reader r(shape);
  Field f;
  while (r.next(f)) {
    if (f.number == shape_field::unknown_rank && f.type == WireType::varint && f.bits != 0)
      single = false;
    if (f.number != shape_field::dim || f.type != WireType::len) continue;
    Reader dr(f.bytes);
    Field df;
    uint64_t size = 0;  // proto3 default: an absent size is 0
    while (dr.next(df))
      if (df.number == dim_field::size && df.type == WireType::varint) size = df.bits;
    if (walk_failed(dr)) ok = false;
    if (size != 1) single = false;
  }
  if (walk_failed(r)) ok = false;
  return single;
}

// The value of a one-element float tensor, or nullopt for any other tensor.
std::optional<double> read_tensor_scalar(std::span<const std::byte> tensor, bool& ok) {
  int64_t dtype = 0;
  bool single = true;
  std::span<const std::byte> content;
  // First element of each typed list; the tensor's dtype decides which one counts.
  std::optional<uint64_t> first_float, first_double, first_half;
  uint64_t n_float = 0, n_double = 0, n_half = 0;

  Reader r(tensor);
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case tensor_field::dtype:
        if (f.type == WireType::varint) dtype = static_cast<int64_t>(f.bits);
        break;
      case tensor_field::shape:
        if (f.type == WireType::len) single = shape_is_single(f.bytes, ok);
        break;
      case tensor_field::content:
        if (f.type == WireType::len) content = f.bytes;
        break;
      case tensor_field::float_val:
        // Repeated scalars may arrive packed or one per field; parsers must accept both.
        if (f.type == WireType::len) {
          if (!proto::for_each_packed_fixed(f.bytes, 4, [&](uint64_t b) {
                if (n_float++ == 0) first_float = b;
              }))
            ok = false;
        } else if (f.type == WireType::fixed32 && n_float++ == 0) {
          first_float = f.bits;
        }
        break;
      case tensor_field::double_val:
        if (f.type == WireType::len) {
          if (!proto::for_each_packed_fixed(f.bytes, 8, [&](uint64_t b) {
                if (n_double++ == 0) first_double = b;
              }))
            ok = false;
        } else if (f.type == WireType::fixed64 && n_double++ == 0) {
          first_double = f.bits;
        }
        break;
      case tensor_field::half_val:
        if (f.type == WireType::len) {
          if (!proto::for_each_packed_varint(f.bytes, [&](uint64_t v) {
                if (n_half++ == 0) first_half = v;
              }))
            ok = false;
        } else if (f.type == WireType::varint && n_half++ == 0) {
          first_half = f.bits;
        }
        break;
      default:
        break;
    }
  }
  if (walk_failed(r)) ok = false;
  if (!ok || !single) return std::nullopt;

  size_t width = 0;
  switch (static_cast<DataType>(dtype)) {
    case DataType::dt_float: width = 4; break;
    case DataType::dt_double: width = 8; break;
    case DataType::dt_half:
    case DataType::dt_bfloat16: width = 2; break;
    default: return std::nullopt;
  }
  uint64_t bits = 0;
  if (!content.empty()) {
    // tensor_content holds the raw little-endian element bytes: one element exactly.
    if (content.size() != width) return std::nullopt;
    for (size_t b = 0; b < width; ++b)
      bits |= static_cast<uint64_t>(std::to_integer<uint8_t>(content[b])) << (8 * b);
  } else {
    // With no content and an empty list, TensorFlow reads the tensor as zeros.
    const auto& first = width == 4 ? first_float : width == 8 ? first_double : first_half;
    bits = first.value_or(0);
  }
  switch (static_cast<DataType>(dtype)) {
    case DataType::dt_float: return std::bit_cast<float>(static_cast<uint32_t>(bits));
    case DataType::dt_double: return std::bit_cast<double>(bits);
    case DataType::dt_half: return half_to_float(static_cast<uint16_t>(bits));
    case DataType::dt_bfloat16: return bfloat16_to_float(static_cast<uint16_t>(bits));
    default: return std::nullopt;
  }
}

bool read_value(std::span<const std::byte> bytes, SummaryValue& out) {
  bool ok = true;
  std::optional<double> simple;
  std::span<const std::byte> tensor;
  bool has_tensor = false;
  Reader r(bytes);
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case value_field::tag:
        if (f.type == WireType::len) out.tag = f.as_string();
        break;
      case value_field::simple_value:
        if (f.type == WireType::fixed32) simple = static_cast<double>(f.as_float());
        break;
      case value_field::metadata:
        if (f.type == WireType::len) {
          out.has_metadata = true;
          out.plugin_name = read_plugin_name(f.bytes, ok);
        }
        break;
      case value_field::tensor:
        if (f.type == WireType::len) {
          tensor = f.bytes;
          has_tensor = true;
        }
        break;
      default:  // old_histogram, image, histo, audio and unknown fields: not scalars
        break;
    }
  }
  if (walk_failed(r)) return false;
  // `value` is a oneof: the last one written wins, but writers set only one.
  if (simple) {
    out.kind = ValueKind::simple_value;
    out.scalar = simple;
  } else if (has_tensor) {
    out.kind = ValueKind::tensor;
    out.scalar = read_tensor_scalar(tensor, ok);
  }
  return ok;
}

}  // namespace

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t mant = h & 0x3ffu;
  if (exp == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mant << 13));  // inf/nan
  if (exp != 0) return std::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
  // Zero or subnormal: mant * 2^-24, exact in float.
  const float mag = std::ldexp(static_cast<float>(mant), -24);
  return sign ? -mag : mag;
}

float bfloat16_to_float(uint16_t bits) {
  return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

Result<Event> decode_event(std::span<const std::byte> data) {
  Event ev;
  Reader r(data);
  Field f;
  while (r.next(f)) {
    switch (f.number) {
      case event_field::wall_time:
        if (f.type == WireType::fixed64) ev.wall_time = f.as_double();
        break;
      case event_field::step:
        if (f.type == WireType::varint) ev.step = static_cast<int64_t>(f.bits);
        break;
      case event_field::file_version:
        if (f.type == WireType::len) ev.file_version = f.as_string();
        break;
      case event_field::summary: {
        if (f.type != WireType::len) break;
        ev.has_summary = true;
        Reader sr(f.bytes);
        Field sf;
        while (sr.next(sf)) {
          if (sf.number != summary_field::value || sf.type != WireType::len) continue;
          SummaryValue v;
          if (!read_value(sf.bytes, v)) return fail(Errc::corrupt, "malformed Summary.Value");
          ev.values.push_back(v);
        }
        if (sr.error()) return fail(Errc::corrupt, std::string("malformed Summary: ") + sr.error());
        break;
      }
      default:  // graph_def, log_message, session_log, run metadata...: not needed here
        break;
    }
  }
  if (r.error()) return fail(Errc::corrupt, std::string("malformed Event: ") + r.error());
  return ev;
}

}  // namespace hub::tensorboard
