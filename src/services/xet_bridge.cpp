// The byte bridge (XET.md §5.2): a Xet file's bytes rebuilt on the server for clients without
// Xet (curl, git-lfs, browsers): per term, the xorb's serialized chunks are read from the blob
// store in batches of at most kBatchBytes, decoded, and streamed; a Range is a plan with
// offset_into_first_range, so only the xorb bytes covering it are read.
#include <algorithm>
#include <memory>

#include "services/xet.h"
#include "storage/xet/xorb.h"

namespace hub::services {

namespace xet = storage::xet;

namespace {

constexpr uint64_t kBatchBytes = 8u << 20;

struct BridgeState {
  Hub* hub = nullptr;
  xet::ReconstructionPlan plan;
  std::map<xet::MerkleHash, xet::XorbLayout> layouts;
  std::map<xet::MerkleHash, std::string> blobs;  // xorb -> blob-store sha256
  size_t term = 0;
  uint32_t chunk = 0;  // next chunk of plan.terms[term]
  bool term_fresh = true;
  uint64_t skip = 0;   // bytes still to drop at the start
  uint64_t remaining = 0;
  std::vector<uint8_t> out;
  size_t pos = 0;

  Result<void> refill() {
    out.clear();
    pos = 0;
    while (out.empty()) {
      if (term >= plan.terms.size()) return fail(Errc::corrupt, "Xet file ended before its stated size");
      const auto& t = plan.terms[term];
      if (term_fresh) {
        chunk = t.chunk_start;  // terms need not ascend (another xorb, or chunks reused)
        term_fresh = false;
      }
      if (chunk >= t.chunk_end) {
        ++term;
        term_fresh = true;
        continue;
      }
      const auto& lay = layouts.at(t.xorb);
      uint32_t end = chunk + 1;
      while (end < t.chunk_end && lay.offsets[end + 1] - lay.offsets[chunk] <= kBatchBytes) ++end;
      uint64_t from = lay.offsets[chunk], len = lay.offsets[end] - from;
      auto r = storage::lfs::read_blob(hub->blobs(), blobs.at(t.xorb), storage::lfs::ByteRange{from, len}, len);
      if (!r) return std::unexpected(r.error());
      if (r->size() != len) return fail(Errc::corrupt, "stored xorb is shorter than its index");
      std::vector<uint8_t> buf;
      const auto* base = reinterpret_cast<const uint8_t*>(r->data());
      for (uint32_t k = chunk; k < end; ++k) {
        const uint8_t* h = base + (lay.offsets[k] - from);
        uint32_t csize = uint32_t(h[1]) | uint32_t(h[2]) << 8 | uint32_t(h[3]) << 16;
        uint32_t usize = uint32_t(h[5]) | uint32_t(h[6]) << 8 | uint32_t(h[7]) << 16;
        if (usize != lay.unpacked[k] || xet::kChunkHeaderSize + csize != lay.offsets[k + 1] - lay.offsets[k])
          return fail(Errc::corrupt, "stored xorb chunk does not match its index");
        auto d = xet::decode_chunk(xet::Compression(h[4]), {h + xet::kChunkHeaderSize, csize}, usize, buf);
        if (!d) return std::unexpected(d.error());
        out.insert(out.end(), buf.begin(), buf.end());
      }
      chunk = end;
      if (skip > 0) {
        uint64_t n = std::min<uint64_t>(skip, out.size());
        out.erase(out.begin(), out.begin() + n);
        skip -= n;
      }
    }
    return {};
  }

  Result<size_t> read(char* dst, size_t cap) {
    if (remaining == 0) return 0;
    if (pos == out.size())
      if (auto r = refill(); !r) return std::unexpected(r.error());
    size_t n = std::min<uint64_t>({cap, out.size() - pos, remaining});
    std::copy_n(out.data() + pos, n, dst);
    pos += n;
    remaining -= n;
    return n;
  }
};

}  // namespace

Result<XetByteReader> xet_open_file(Hub& hub, const storage::db::XetFileRow& file, uint64_t first, uint64_t length) {
  auto st = std::make_shared<BridgeState>();
  st->hub = &hub;
  if (length == 0) return XetByteReader([](char*, size_t) -> Result<size_t> { return 0; });
  HUB_TRY(plan, xet_plan_file(hub, file, xet::RangeRequest{first, first + length - 1}, &st->layouts));
  for (const auto& [h, lay] : st->layouts) {
    HUB_TRY(row, hub.db().xet_xorb(xet::to_xhex(h)));
    st->blobs.emplace(h, row.sha256);
  }
  st->skip = plan.offset_into_first_range;
  st->remaining = plan.range_end - plan.range_start;
  st->plan = std::move(plan);
  return XetByteReader([st](char* buf, size_t cap) { return st->read(buf, cap); });
}

}  // namespace hub::services
