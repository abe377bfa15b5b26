// CRC32C (Castagnoli, reflected polynomial 0x82F63B78) and the TFRecord "masked" form.
// Owns nothing; pure functions, safe from any thread. Uses the SSE4.2 crc32 instruction when
// the CPU has it (checked once at run time), else a slicing-by-8 table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hub::tensorboard {

// Continues a CRC: crc32c_extend(crc32c(a), b) == crc32c(a ++ b). Start value is 0.
uint32_t crc32c_extend(uint32_t crc, std::span<const std::byte> data);

inline uint32_t crc32c(std::span<const std::byte> data) { return crc32c_extend(0, data); }

// TFRecord stores CRCs "masked" so that a CRC of data that itself contains CRCs stays
// well distributed: rotate right by 15 bits, then add a constant.
inline uint32_t crc32c_mask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

inline uint32_t crc32c_unmask(uint32_t masked) {
  const uint32_t rot = masked - 0xa282ead8u;
  return (rot >> 17) | (rot << 15);
}

// Which implementation crc32c_extend uses on this machine: "sse4.2" or "table".
const char* crc32c_impl_name();

// The portable table implementation, exposed so tests can check both paths agree.
uint32_t crc32c_extend_table(uint32_t crc, std::span<const std::byte> data);

}  // namespace hub::tensorboard
