#include "storage/xet/reconstruction.h"

#include <algorithm>
#include <string>

namespace hub::storage::xet {
namespace {

auto unsatisfiable() { return fail(Errc::invalid_argument, "requested range not satisfiable", "RangeNotSatisfiable"); }

}  // namespace

Result<ReconstructionPlan> plan_reconstruction(std::span<const FileTerm> terms, const XorbLookup& lookup,
                                               std::optional<RangeRequest> range) {
  // Resolve every term against its xorb first: sizes come from the stored index, and a term
  // that does not fit it is refused whatever the range.
  std::vector<const XorbLayout*> layouts;
  layouts.reserve(terms.size());
  ReconstructionPlan plan;
  for (const auto& t : terms) {
    const XorbLayout* x = lookup(t.xorb);
    if (!x) return fail(Errc::not_found, "xorb " + to_xhex(t.xorb) + " is not stored", "XorbNotFound");
    if (t.chunk_start >= t.chunk_end || t.chunk_end > x->unpacked.size() || x->offsets.size() != x->unpacked.size() + 1)
      return fail(Errc::corrupt, "term outside its xorb " + to_xhex(t.xorb));
    uint64_t bytes = 0;
    for (uint32_t c = t.chunk_start; c < t.chunk_end; ++c) bytes += x->unpacked[c];
    if (bytes != t.unpacked_bytes) return fail(Errc::corrupt, "term size differs from its xorb's chunks");
    plan.file_size += bytes;
    layouts.push_back(x);
  }
  if (plan.file_size == 0) return plan;

  uint64_t a = 0, end = plan.file_size;
  if (range) {
    if (!range->first) {  // suffix
      if (!range->last || *range->last == 0) return unsatisfiable();
      a = plan.file_size - std::min(*range->last, plan.file_size);
    } else {
      a = *range->first;
      if (range->last) {
        if (*range->last < a) return unsatisfiable();
        end = *range->last >= plan.file_size ? plan.file_size : *range->last + 1;  // no overflow at 2^64-1
      }
    }
    if (a >= plan.file_size) return unsatisfiable();
  }
  plan.range_start = a;
  plan.range_end = end;

  // Walk the terms, keeping the chunks that overlap [a, end).
  std::vector<std::pair<size_t, std::pair<uint32_t, uint32_t>>> kept;  // (xorb slot, chunk range)
  std::vector<MerkleHash> order;
  uint64_t pos = 0;  // file offset of the current chunk
  bool first = true;
  for (size_t i = 0; i < terms.size() && pos < end; ++i) {
    const auto& t = terms[i];
    const XorbLayout& x = *layouts[i];
    uint64_t term_end = pos + t.unpacked_bytes;
    if (term_end <= a) {
      pos = term_end;
      continue;
    }
    uint32_t c0 = t.chunk_start;
    while (pos + x.unpacked[c0] <= a) pos += x.unpacked[c0++];
    if (first) {
      plan.offset_into_first_range = a - pos;
      first = false;
    }
    uint32_t c1 = c0;
    uint64_t len = 0;
    while (c1 < t.chunk_end && pos < end) {
      len += x.unpacked[c1];
      pos += x.unpacked[c1++];
    }
    if (c1 < t.chunk_end) pos = term_end;  // the rest of this term lies past the range
    plan.terms.push_back({t.xorb, c0, c1, len});
    auto slot = std::find(order.begin(), order.end(), t.xorb) - order.begin();
    if (size_t(slot) == order.size()) order.push_back(t.xorb);
    kept.push_back({size_t(slot), {c0, c1}});
  }

  // Per xorb: sort the kept chunk ranges, merge those that overlap or touch, map to bytes.
  plan.fetch.reserve(order.size());
  for (size_t s = 0; s < order.size(); ++s) {
    std::vector<std::pair<uint32_t, uint32_t>> rs;
    for (auto& [slot, r] : kept)
      if (slot == s) rs.push_back(r);
    std::sort(rs.begin(), rs.end());
    const XorbLayout& x = *lookup(order[s]);
    std::vector<PlanFetch> merged;
    for (auto [c0, c1] : rs) {
      if (!merged.empty() && c0 <= merged.back().chunk_end) {
        merged.back().chunk_end = std::max(merged.back().chunk_end, c1);
      } else {
        merged.push_back({c0, c1, 0, 0});
      }
    }
    for (auto& f : merged) {
      f.byte_start = x.offsets[f.chunk_start];
      f.byte_end = x.offsets[f.chunk_end] - 1;
    }
    plan.fetch.push_back({order[s], std::move(merged)});
  }
  return plan;
}

}  // namespace hub::storage::xet
