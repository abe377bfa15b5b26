// Hashing and encodings over OpenSSL: sha256 (streaming), sha1, HMAC-SHA256, random bytes,
// hex and base64. Sha256 objects are single-threaded; the free functions are thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace hub {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(const void* data, size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  std::array<uint8_t, 32> finish();
  std::string finish_hex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string sha256_hex(std::string_view data);
std::string sha1_hex(std::string_view data);
std::array<uint8_t, 32> hmac_sha256(std::string_view key, std::string_view data);

std::string random_bytes(size_t n);                  // cryptographically secure
std::string random_token(size_t n, std::string_view alphabet);

std::string hex_encode(std::span<const uint8_t> bytes);
inline std::string hex_encode(std::string_view s) {
  return hex_encode({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}
bool is_hex(std::string_view s, size_t len);  // exactly len lowercase/uppercase hex chars

std::string base64_encode(std::string_view data);
std::optional<std::string> base64_decode(std::string_view data);  // nullopt on malformed input
std::string base64url_encode(std::string_view data);               // no padding
std::optional<std::string> base64url_decode(std::string_view data);

// Compares in time independent of where the first difference is.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace hub
