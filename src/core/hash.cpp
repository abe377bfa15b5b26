#include "core/hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace hub {

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("sha256 init failed");
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t n) { EVP_DigestUpdate(impl_->ctx, data, n); }

std::array<uint8_t, 32> Sha256::finish() {
  std::array<uint8_t, 32> out{};
  unsigned len = 0;
  EVP_DigestFinal_ex(impl_->ctx, out.data(), &len);
  return out;
}

std::string Sha256::finish_hex() {
  auto d = finish();
  return hex_encode(d);
}

std::string sha256_hex(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish_hex();
}

std::string sha1_hex(std::string_view data) {
  uint8_t out[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, EVP_sha1(), nullptr);
  return hex_encode(std::span<const uint8_t>(out, len));
}

std::array<uint8_t, 32> hmac_sha256(std::string_view key, std::string_view data) {
  std::array<uint8_t, 32> out{};
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

std::string random_bytes(size_t n) {
  std::string s(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(s.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return s;
}

std::string random_token(size_t n, std::string_view alphabet) {
  std::string out;
  out.reserve(n);
  // Rejection sampling keeps the distribution uniform over the alphabet.
  const unsigned limit = 256 - (256 % alphabet.size());
  while (out.size() < n) {
    for (unsigned char c : random_bytes(n * 2)) {
      if (c >= limit) continue;
      out += alphabet[c % alphabet.size()];
      if (out.size() == n) break;
    }
  }
  return out;
}

std::string hex_encode(std::span<const uint8_t> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    s[2 * i] = digits[bytes[i] >> 4];
    s[2 * i + 1] = digits[bytes[i] & 15];
  }
  return s;
}

bool is_hex(std::string_view s, size_t len) {
  if (s.size() != len) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

namespace {
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view in, const char* table, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size()) v |= uint8_t(in[i + 1]) << 8;
    out += table[v >> 18];
    out += table[(v >> 12) & 63];
    if (i + 1 < in.size()) out += table[(v >> 6) & 63];
    else if (pad) out += '=';
    if (pad) out += '=';
  }
  return out;
}

std::optional<std::string> decode(std::string_view in, const char* table, bool padded) {
  int8_t rev[256];
  for (auto& r : rev) r = -1;
  for (int i = 0; i < 64; ++i) rev[uint8_t(table[i])] = static_cast<int8_t>(i);
  // Tolerate line breaks (MIME style), nothing else.
  std::string clean;
  clean.reserve(in.size());
  for (char c : in)
    if (c != '\n' && c != '\r') clean += c;
  size_t n = clean.size();
  size_t pads = 0;
  while (n > 0 && clean[n - 1] == '=') { --n; ++pads; }
  if (pads > 2) return std::nullopt;
  if (padded && pads > 0 && (n + pads) % 4 != 0) return std::nullopt;
  if (n % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(n * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    int8_t v = rev[uint8_t(clean[i])];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}
}  // namespace

std::string base64_encode(std::string_view data) { return encode(data, kB64, true); }
std::optional<std::string> base64_decode(std::string_view data) { return decode(data, kB64, true); }
std::string base64url_encode(std::string_view data) { return encode(data, kB64Url, false); }
std::optional<std::string> base64url_decode(std::string_view data) { return decode(data, kB64Url, false); }

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace hub
