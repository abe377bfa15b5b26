#include "tensorboard/proto_wire.h"

#include <bit>

namespace hub::tensorboard::proto {

double Field::as_double() const { return std::bit_cast<double>(bits); }
float Field::as_float() const { return std::bit_cast<float>(static_cast<uint32_t>(bits)); }

bool read_varint(std::span<const std::byte> buf, size_t& pos, uint64_t& out) {
  uint64_t value = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos >= buf.size()) return false;
    const auto byte = std::to_integer<uint8_t>(buf[pos++]);
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (i == 9 && byte > 1) return false;
    value |= static_cast<uint64_t>(byte & 0x7fu) << (7 * i);
    if ((byte & 0x80u) == 0) {
      out = value;
      return true;
    }
  }
  return false;
}

namespace {

uint64_t load_le(std::span<const std::byte> buf, size_t pos, size_t width) {
  uint64_t bits = 0;
  for (size_t b = 0; b < width; ++b)
    bits |= static_cast<uint64_t>(std::to_integer<uint8_t>(buf[pos + b])) << (8 * b);
  return bits;
}

}  // namespace

bool Reader::next(Field& f) {
  if (pos_ >= buf_.size()) return false;
  uint64_t key = 0;
  if (!read_varint(buf_, pos_, key)) return fail("truncated field key");
  const uint64_t number = key >> 3;
  if (number == 0 || number > 0x1fffffffu) return fail("invalid field number");
  f.number = static_cast<uint32_t>(number);
  f.type = static_cast<WireType>(key & 7u);
  f.bits = 0;
  f.bytes = {};
  const size_t left = buf_.size() - pos_;
  switch (f.type) {
    case WireType::varint:
      if (!read_varint(buf_, pos_, f.bits)) return fail("truncated varint");
      return true;
    case WireType::fixed64:
      if (left < 8) return fail("truncated fixed64");
      f.bits = load_le(buf_, pos_, 8);
      pos_ += 8;
      return true;
    case WireType::fixed32:
      if (left < 4) return fail("truncated fixed32");
      f.bits = load_le(buf_, pos_, 4);
      pos_ += 4;
      return true;
    case WireType::len: {
      uint64_t n = 0;
      if (!read_varint(buf_, pos_, n)) return fail("truncated length");
      // Compare against what is left, never pos_ + n, which could overflow.
      if (n > buf_.size() - pos_) return fail("length-delimited field runs past its message");
      f.bytes = buf_.subspan(pos_, static_cast<size_t>(n));
      pos_ += static_cast<size_t>(n);
      return true;
    }
    case WireType::start_group:
      if (!skip_group(f.number)) return false;
      return true;
    case WireType::end_group:
      return fail("unexpected end-group");
  }
  return fail("invalid wire type");
}

// Skips to the matching end-group tag. Nesting is tracked with a bounded depth so hostile
// input cannot recurse or loop without consuming bytes.
bool Reader::skip_group(uint32_t number) {
  constexpr int kMaxDepth = 64;
  uint32_t open[kMaxDepth];
  int depth = 0;
  open[depth++] = number;
  while (depth > 0) {
    if (pos_ >= buf_.size()) return fail("unterminated group");
    uint64_t key = 0;
    if (!read_varint(buf_, pos_, key)) return fail("truncated field key");
    const uint64_t n = key >> 3;
    const auto type = static_cast<WireType>(key & 7u);
    if (n == 0 || n > 0x1fffffffu) return fail("invalid field number");
    const size_t left = buf_.size() - pos_;
    switch (type) {
      case WireType::varint: {
        uint64_t v;
        if (!read_varint(buf_, pos_, v)) return fail("truncated varint");
        break;
      }
      case WireType::fixed64:
        if (left < 8) return fail("truncated fixed64");
        pos_ += 8;
        break;
      case WireType::fixed32:
        if (left < 4) return fail("truncated fixed32");
        pos_ += 4;
        break;
      case WireType::len: {
        uint64_t len = 0;
        if (!read_varint(buf_, pos_, len)) return fail("truncated length");
        if (len > buf_.size() - pos_) return fail("length-delimited field runs past its message");
        pos_ += static_cast<size_t>(len);
        break;
      }
      case WireType::start_group:
        if (depth == kMaxDepth) return fail("groups nested too deeply");
        open[depth++] = static_cast<uint32_t>(n);
        break;
      case WireType::end_group:
        if (open[depth - 1] != n) return fail("mismatched end-group");
        --depth;
        break;
      default:
        return fail("invalid wire type");
    }
  }
  return true;
}

}  // namespace hub::tensorboard::proto
