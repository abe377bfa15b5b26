// Test helper: builds TFRecord-framed Event protobufs in memory, for the C++ tests that need
// precise control (corrupting CRCs, odd lengths, hostile fields). The fixture files come from
// write_events.py, an independent Python writer; this one is used for damage and fuzz cases.
// Header-only; no shared state.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

#include "tensorboard/crc32c.h"

namespace hub::tensorboard::testing {

using Bytes = std::string;  // raw bytes; std::string keeps concatenation easy

inline std::span<const std::byte> as_span(const Bytes& b) { return std::as_bytes(std::span(b)); }

inline Bytes le(uint64_t v, int width) {
  Bytes out;
  for (int i = 0; i < width; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

inline uint32_t masked(const Bytes& b) { return crc32c_mask(crc32c(as_span(b))); }

// One TFRecord: length, masked CRC of the length, data, masked CRC of the data.
inline Bytes record(const Bytes& data) {
  const Bytes len = le(data.size(), 8);
  return len + le(masked(len), 4) + data + le(masked(data), 4);
}

// A header claiming `length` bytes, with a valid length CRC, and nothing after it.
inline Bytes header_only(uint64_t length) {
  const Bytes len = le(length, 8);
  return len + le(masked(len), 4);
}

inline Bytes varint(uint64_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out += static_cast<char>(v ? (b | 0x80) : b);
  } while (v);
  return out;
}

inline Bytes key(uint32_t field, int wire) { return varint((uint64_t{field} << 3) | wire); }
inline Bytes f_varint(uint32_t field, uint64_t v) { return key(field, 0) + varint(v); }
inline Bytes f_bytes(uint32_t field, const Bytes& b) { return key(field, 2) + varint(b.size()) + b; }
inline Bytes f_double(uint32_t field, double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  return key(field, 1) + le(bits, 8);
}
inline Bytes f_float(uint32_t field, float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  return key(field, 5) + le(bits, 4);
}

inline Bytes simple_value(std::string_view tag, float v) {
  return f_bytes(1, Bytes(tag)) + f_float(2, v);
}

inline Bytes with_plugin(const Bytes& value, std::string_view plugin) {
  return value + f_bytes(9, f_bytes(1, f_bytes(1, Bytes(plugin))));
}

// A Summary.Value holding `tensor` (a TensorProto's bytes).
inline Bytes tensor_value(std::string_view tag, const Bytes& tensor) {
  return f_bytes(1, Bytes(tag)) + f_bytes(8, tensor);
}

inline Bytes event(double wall_time, int64_t step, const Bytes& values = {}) {
  Bytes body = f_double(1, wall_time) + f_varint(2, static_cast<uint64_t>(step));
  if (!values.empty()) body += f_bytes(5, values);
  return body;
}

// Summary.value entries are each a length-delimited field 1 of Summary.
inline Bytes values(std::initializer_list<Bytes> vs) {
  Bytes out;
  for (const auto& v : vs) out += f_bytes(1, v);
  return out;
}

}  // namespace hub::tensorboard::testing
