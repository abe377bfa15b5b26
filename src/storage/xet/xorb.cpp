#include "storage/xet/xorb.h"

#include <lz4frame.h>

#include <cstring>
#include <memory>
#include <string>

namespace hub::storage::xet {
namespace {

constexpr uint8_t kFooterMagic[7] = {'X', 'E', 'T', 'B', 'L', 'O', 'B'};

auto invalid(std::string msg) { return fail(Errc::corrupt, "invalid xorb: " + std::move(msg), "InvalidXorb"); }

uint32_t u24(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16; }
void put_u24(uint8_t* p, uint32_t v) {
  p[0] = uint8_t(v);
  p[1] = uint8_t(v >> 8);
  p[2] = uint8_t(v >> 16);
}

struct DctxDeleter {
  void operator()(LZ4F_dctx* d) const { LZ4F_freeDecompressionContext(d); }
};

// One whole LZ4 frame in `in` decoding to exactly out.size() bytes, nothing left over.
bool lz4_frame_decode(std::span<const uint8_t> in, std::span<uint8_t> out) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) return false;
  std::unique_ptr<LZ4F_dctx, DctxDeleter> dctx(raw);
  size_t in_pos = 0, out_pos = 0;
  for (;;) {
    size_t src = in.size() - in_pos, dst = out.size() - out_pos;
    // A 1-byte scratch when the output is full, so a frame with more data than stated fails
    // instead of stalling.
    uint8_t spill;
    uint8_t* dst_ptr = dst ? out.data() + out_pos : &spill;
    size_t dst_cap = dst ? dst : 1;
    size_t hint = LZ4F_decompress(dctx.get(), dst_ptr, &dst_cap, in.data() + in_pos, &src, nullptr);
    if (LZ4F_isError(hint)) return false;
    if (!dst && dst_cap) return false;  // more bytes than stated
    in_pos += src;
    out_pos += dst ? dst_cap : 0;
    if (hint == 0) return in_pos == in.size() && out_pos == out.size();  // frame complete
    if (src == 0 && dst_cap == 0) return false;                         // truncated frame
  }
}

std::vector<uint8_t> lz4_frame_encode(std::span<const uint8_t> in) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.contentSize = in.size();
  std::vector<uint8_t> out(LZ4F_compressFrameBound(in.size(), &prefs));
  size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
  HUB_ASSERT(!LZ4F_isError(n) && "the bound is enough");
  out.resize(n);
  return out;
}

// Byte grouping: group g holds the bytes at positions ≡ g mod 4, groups concatenated
// (floats' exponent bytes end up together, which LZ4 then compresses).
std::vector<uint8_t> bg4_split(std::span<const uint8_t> in) {
  std::vector<uint8_t> out(in.size());
  size_t n = in.size(), pos = 0;
  for (size_t g = 0; g < 4; ++g)
    for (size_t i = g; i < n; i += 4) out[pos++] = in[i];
  return out;
}
void bg4_join(std::span<const uint8_t> grouped, std::span<uint8_t> out) {
  size_t n = out.size(), pos = 0;
  for (size_t g = 0; g < 4; ++g)
    for (size_t i = g; i < n; i += 4) out[i] = grouped[pos++];
}

}  // namespace

Result<void> decode_chunk(Compression scheme, std::span<const uint8_t> payload, uint32_t uncompressed_size,
                          std::vector<uint8_t>& out) {
  out.resize(uncompressed_size);
  switch (scheme) {
    case Compression::none:
      if (payload.size() != uncompressed_size) return invalid("stored chunk size differs from its uncompressed size");
      std::memcpy(out.data(), payload.data(), payload.size());
      return {};
    case Compression::lz4:
      if (!lz4_frame_decode(payload, out)) return invalid("chunk is not an LZ4 frame of its stated size");
      return {};
    case Compression::bg4_lz4: {
      std::vector<uint8_t> grouped(uncompressed_size);
      if (!lz4_frame_decode(payload, grouped)) return invalid("chunk is not an LZ4 frame of its stated size");
      bg4_join(grouped, out);
      return {};
    }
  }
  return invalid("unknown compression scheme");
}

Result<XorbIndex> parse_xorb(std::span<const uint8_t> body) {
  // Pass 1 walks the headers only, so a malformed or oversized body is refused before any
  // decompression or hashing is spent on it.
  XorbIndex idx;
  size_t pos = 0;
  while (pos < body.size()) {
    if (body.size() - pos >= sizeof kFooterMagic && std::memcmp(body.data() + pos, kFooterMagic, sizeof kFooterMagic) == 0)
      break;  // a pre-2025-06 footer: everything from here on is metadata we do not keep
    if (body.size() - pos < kChunkHeaderSize) return invalid("truncated chunk header at byte " + std::to_string(pos));
    const uint8_t* h = body.data() + pos;
    if (h[0] != 0) return invalid("unsupported chunk version " + std::to_string(h[0]) + " at byte " + std::to_string(pos));
    uint32_t csize = u24(h + 1), usize = u24(h + 5);
    if (h[4] > 2) return invalid("unknown compression scheme " + std::to_string(h[4]));
    if (usize == 0 || usize > kMaxChunkUncompressed) return invalid("chunk uncompressed size " + std::to_string(usize));
    if (csize == 0 || csize > kMaxChunkCompressed) return invalid("chunk compressed size " + std::to_string(csize));
    if (body.size() - pos - kChunkHeaderSize < csize) return invalid("truncated chunk at byte " + std::to_string(pos));
    if (pos + kChunkHeaderSize + csize > kMaxXorbBytes) return fail(Errc::too_large, "xorb larger than 64 MiB", "XorbTooLarge");
    if (idx.chunks.size() == kMaxXorbChunks) return fail(Errc::too_large, "too many chunks in one xorb", "XorbTooLarge");
    idx.chunks.push_back({pos, csize, usize, static_cast<Compression>(h[4]), {}});
    idx.uncompressed_size += usize;
    pos += kChunkHeaderSize + csize;
  }
  if (idx.chunks.empty()) return invalid("no chunks");
  idx.serialized_size = pos;
  // Pass 2: every chunk decodes to its stated size; its hash is a merkle leaf.
  std::vector<ChunkRef> leaves;
  leaves.reserve(idx.chunks.size());
  std::vector<uint8_t> buf;
  for (auto& c : idx.chunks) {
    auto decoded = decode_chunk(c.scheme, body.subspan(c.offset + kChunkHeaderSize, c.compressed_size),
                                c.uncompressed_size, buf);
    if (!decoded) return std::unexpected(decoded.error());
    c.hash = chunk_hash(buf);
    leaves.push_back({c.hash, c.uncompressed_size});
  }
  idx.hash = xorb_hash(leaves);
  return idx;
}

std::vector<uint8_t> serialize_xorb(std::span<const std::span<const uint8_t>> chunks, Compression prefer) {
  std::vector<uint8_t> out;
  for (auto chunk : chunks) {
    HUB_ASSERT(!chunk.empty() && chunk.size() <= kMaxChunkUncompressed);
    std::vector<uint8_t> packed;
    if (prefer == Compression::bg4_lz4) packed = lz4_frame_encode(bg4_split(chunk));
    else if (prefer == Compression::lz4) packed = lz4_frame_encode(chunk);
    Compression scheme = prefer;
    if (prefer == Compression::none || packed.size() >= chunk.size()) {
      scheme = Compression::none;
      packed.assign(chunk.begin(), chunk.end());
    }
    uint8_t h[kChunkHeaderSize] = {0};
    put_u24(h + 1, uint32_t(packed.size()));
    h[4] = static_cast<uint8_t>(scheme);
    put_u24(h + 5, uint32_t(chunk.size()));
    out.insert(out.end(), h, h + kChunkHeaderSize);
    out.insert(out.end(), packed.begin(), packed.end());
  }
  return out;
}

}  // namespace hub::storage::xet
