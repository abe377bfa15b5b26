// Fuzz target: storage/xet's xorb and shard parsers (upload bodies from any write-token holder
// are untrusted). The first byte picks the parser. Beyond "no crash, no allocation past the
// input's size": an accepted xorb's index must point inside the body and describe chunks that
// decode again; an accepted shard must serialize to bytes that parse to the same shard.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "storage/xet/shard.h"
#include "storage/xet/xorb.h"

using namespace hub::storage::xet;

namespace {

void check_xorb(std::span<const uint8_t> body) {
  auto idx = parse_xorb(body);
  if (!idx) return;
  if (idx->serialized_size > body.size() || idx->chunks.empty()) std::abort();
  std::vector<ChunkRef> leaves;
  std::vector<uint8_t> out;
  for (const auto& c : idx->chunks) {
    if (c.offset + kChunkHeaderSize + c.compressed_size > idx->serialized_size) std::abort();
    if (!decode_chunk(c.scheme, body.subspan(c.offset + kChunkHeaderSize, c.compressed_size), c.uncompressed_size, out))
      std::abort();
    if (chunk_hash(out) != c.hash) std::abort();
    leaves.push_back({c.hash, c.uncompressed_size});
  }
  if (xorb_hash(leaves) != idx->hash) std::abort();
}

void check_shard(std::span<const uint8_t> body) {
  auto s = parse_shard(body);
  if (!s) return;
  auto again = parse_shard(serialize_shard(*s));
  if (!again || again->files.size() != s->files.size() || again->xorbs.size() != s->xorbs.size()) std::abort();
  for (size_t i = 0; i < s->files.size(); ++i) {
    const auto &a = s->files[i], &b = again->files[i];
    if (a.file_hash != b.file_hash || a.flags != b.flags || a.terms.size() != b.terms.size() ||
        a.verification != b.verification || a.sha256 != b.sha256)
      std::abort();
  }
  for (size_t i = 0; i < s->xorbs.size(); ++i)
    if (s->xorbs[i].hash != again->xorbs[i].hash || s->xorbs[i].chunks.size() != again->xorbs[i].chunks.size())
      std::abort();
  if (s->footer.has_value() != again->footer.has_value()) std::abort();
  if (s->footer && (s->footer->chunk_hmac_key != again->footer->chunk_hmac_key ||
                    s->footer->key_expiry_unix != again->footer->key_expiry_unix))
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::span<const uint8_t> body(data + 1, size - 1);
  if (data[0] & 1) check_shard(body);
  else check_xorb(body);
  return 0;
}
