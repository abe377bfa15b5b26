// A minimal protocol-buffers wire-format reader: walks the fields of one message held in a
// byte span, decoding varint, 64-bit, length-delimited and 32-bit values. Unknown fields are
// the caller's to ignore; groups (deprecated, unused by TensorFlow) are skipped whole.
// Every read is bounds-checked: malformed input ends the walk with an error, never reads past
// the span and never allocates. Borrows the span; one reader per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace hub::tensorboard::proto {

enum class WireType : uint8_t {
  varint = 0,
  fixed64 = 1,
  len = 2,
  start_group = 3,
  end_group = 4,
  fixed32 = 5,
};

struct Field {
  uint32_t number = 0;
  WireType type = WireType::varint;
  uint64_t bits = 0;                  // varint value, or the raw bits of fixed64/fixed32
  std::span<const std::byte> bytes;   // payload of a length-delimited field

  double as_double() const;           // fixed64 as IEEE double
  float as_float() const;             // fixed32 as IEEE float
  std::string_view as_string() const {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
};

// Reads a base-128 varint at pos (at most 10 bytes); advances pos. False if truncated/overlong.
bool read_varint(std::span<const std::byte> buf, size_t& pos, uint64_t& out);

class Reader {
 public:
  explicit Reader(std::span<const std::byte> buf) : buf_(buf) {}

  // Reads the next field into f. Returns false at the end of the message or on malformed
  // input; error() tells which (nullptr at a clean end).
  bool next(Field& f);
  const char* error() const { return error_; }
  size_t offset() const { return pos_; }

 private:
  bool fail(const char* why) {
    error_ = why;
    pos_ = buf_.size();
    return false;
  }
  bool skip_group(uint32_t number);

  std::span<const std::byte> buf_;
  size_t pos_ = 0;
  const char* error_ = nullptr;
};

// Packed repeated fixed-width values (float_val, double_val): calls fn(bits) per element.
// False if the payload is not a whole number of elements.
template <class Fn>
bool for_each_packed_fixed(std::span<const std::byte> bytes, size_t width, Fn&& fn) {
  if (width == 0 || bytes.size() % width != 0) return false;
  for (size_t i = 0; i < bytes.size(); i += width) {
    uint64_t bits = 0;
    for (size_t b = 0; b < width; ++b)
      bits |= static_cast<uint64_t>(std::to_integer<uint8_t>(bytes[i + b])) << (8 * b);
    fn(bits);
  }
  return true;
}

// Packed repeated varints (half_val, int_val): calls fn(value) per element.
template <class Fn>
bool for_each_packed_varint(std::span<const std::byte> bytes, Fn&& fn) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    uint64_t v = 0;
    if (!read_varint(bytes, pos, v)) return false;
    fn(v);
  }
  return true;
}

}  // namespace hub::tensorboard::proto
