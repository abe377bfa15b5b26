#include "storage/xet/shard_check.h"

#include <string>

namespace hub::storage::xet {
namespace {

auto mismatch(std::string msg) { return fail(Errc::corrupt, "shard does not verify: " + std::move(msg), "ShardVerificationFailed"); }
auto missing(const MerkleHash& x) { return fail(Errc::corrupt, "shard references xorb " + to_xhex(x) + " which is not stored", "XorbNotFound"); }

}  // namespace

Result<void> verify_shard(const Shard& shard, const StoredXorbLookup& lookup) {
  for (const auto& x : shard.xorbs) {
    const StoredXorb* s = lookup(x.hash);
    if (!s) return missing(x.hash);
    if (x.chunks.size() != s->hashes.size()) return mismatch("chunk count of xorb " + to_xhex(x.hash));
    uint64_t off = 0;
    for (size_t i = 0; i < x.chunks.size(); ++i) {
      const auto& c = x.chunks[i];
      if (c.hash != s->hashes[i] || c.unpacked_bytes != s->sizes[i] || c.byte_range_start != off)
        return mismatch("chunk " + std::to_string(i) + " of xorb " + to_xhex(x.hash));
      off += s->sizes[i];
    }
    if (x.num_bytes_in_xorb != off) return mismatch("size of xorb " + to_xhex(x.hash));
  }
  std::vector<ChunkRef> leaves;
  std::vector<MerkleHash> range;
  for (const auto& f : shard.files) {
    if (!(f.flags & kFileFlagVerification) || f.verification.size() != f.terms.size())
      return mismatch("file " + to_xhex(f.file_hash) + " has no verification hashes");
    leaves.clear();
    for (size_t t = 0; t < f.terms.size(); ++t) {
      const auto& term = f.terms[t];
      const StoredXorb* s = lookup(term.xorb);
      if (!s) return missing(term.xorb);
      if (term.chunk_start >= term.chunk_end || term.chunk_end > s->hashes.size())
        return mismatch("term " + std::to_string(t) + " of file " + to_xhex(f.file_hash) + " is outside its xorb");
      uint64_t bytes = 0;
      range.assign(s->hashes.begin() + term.chunk_start, s->hashes.begin() + term.chunk_end);
      for (uint32_t c = term.chunk_start; c < term.chunk_end; ++c) {
        bytes += s->sizes[c];
        leaves.push_back({s->hashes[c], s->sizes[c]});
      }
      if (bytes != term.unpacked_bytes)
        return mismatch("term " + std::to_string(t) + " of file " + to_xhex(f.file_hash) + " states the wrong size");
      if (verification_hash(range) != f.verification[t])
        return mismatch("verification hash of term " + std::to_string(t) + " of file " + to_xhex(f.file_hash));
    }
    if (file_hash(leaves) != f.file_hash) return mismatch("file " + to_xhex(f.file_hash) + " hashes differently");
  }
  return {};
}

}  // namespace hub::storage::xet
