#include "storage/xet/records.h"

#include <cstring>

#include "core/hash.h"

namespace hub::storage::xet {

namespace {

// Record layouts: xorb chunk = hash[32] u32 unpacked u32 serialized length (header included);
// term = xorb[32] u32 flags u32 unpacked u32 start u32 end. Little-endian.
constexpr size_t kChunkRec = 40;
constexpr size_t kTermRec = 48;

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
}
uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(uint8_t(p[i])) << (8 * i);
  return v;
}
void put_hash(std::string& out, const MerkleHash& h) { out.append(reinterpret_cast<const char*>(h.bytes.data()), 32); }
MerkleHash get_hash(const char* p) {
  MerkleHash h;
  std::memcpy(h.bytes.data(), p, 32);
  return h;
}

}  // namespace

std::string encode_xorb_record(const XorbIndex& index) {
  std::string raw;
  raw.reserve(index.chunks.size() * kChunkRec);
  for (const auto& c : index.chunks) {
    put_hash(raw, c.hash);
    put_u32(raw, c.uncompressed_size);
    put_u32(raw, uint32_t(kChunkHeaderSize + c.compressed_size));
  }
  return base64_encode(raw);
}

std::optional<XorbRecord> decode_xorb_record(std::string_view text) {
  auto raw = base64_decode(text);
  if (!raw || raw->size() % kChunkRec != 0) return std::nullopt;
  size_t n = raw->size() / kChunkRec;
  XorbRecord r;
  r.hashes.reserve(n);
  r.unpacked.reserve(n);
  r.offsets.reserve(n + 1);
  uint64_t off = 0;
  for (size_t i = 0; i < n; ++i) {
    const char* p = raw->data() + i * kChunkRec;
    r.hashes.push_back(get_hash(p));
    r.unpacked.push_back(get_u32(p + 32));
    r.offsets.push_back(off);
    off += get_u32(p + 36);
  }
  r.offsets.push_back(off);
  return r;
}

std::string encode_terms(std::span<const FileTerm> terms) {
  std::string raw;
  raw.reserve(terms.size() * kTermRec);
  for (const auto& t : terms) {
    put_hash(raw, t.xorb);
    put_u32(raw, t.xorb_flags);
    put_u32(raw, t.unpacked_bytes);
    put_u32(raw, t.chunk_start);
    put_u32(raw, t.chunk_end);
  }
  return base64_encode(raw);
}

std::optional<std::vector<FileTerm>> decode_terms(std::string_view text) {
  auto raw = base64_decode(text);
  if (!raw || raw->size() % kTermRec != 0) return std::nullopt;
  std::vector<FileTerm> out;
  for (size_t i = 0; i < raw->size() / kTermRec; ++i) {
    const char* p = raw->data() + i * kTermRec;
    out.push_back(FileTerm{get_hash(p), get_u32(p + 32), get_u32(p + 36), get_u32(p + 40), get_u32(p + 44)});
  }
  return out;
}

}  // namespace hub::storage::xet
