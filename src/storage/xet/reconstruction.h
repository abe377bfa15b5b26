// Reconstruction plans (XET.md §4 "Building it", mirroring xet-core's reference server): for a
// file's terms and an optional byte range, which chunks of which xorbs a client must fetch,
// the terms to assemble, and how many leading bytes of the first to skip. The api layer turns a
// plan into the v1/v2 JSON with signed URLs. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <span>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "storage/xet/hash.h"
#include "storage/xet/shard.h"

namespace hub::storage::xet {

// What a plan needs of a stored xorb: each chunk's uncompressed size, and the serialized offset
// of each chunk plus one past the last (offsets.size() == unpacked.size() + 1).
struct XorbLayout {
  std::vector<uint32_t> unpacked;
  std::vector<uint64_t> offsets;
};

// null when the CAS has no such xorb.
using XorbLookup = std::function<const XorbLayout*(const MerkleHash&)>;

// `Range: bytes=first-last` (last inclusive, absent = to the end), or `bytes=-last` (first absent:
// the final `last` bytes).
struct RangeRequest {
  std::optional<uint64_t> first;
  std::optional<uint64_t> last;
};

struct PlanTerm {
  MerkleHash xorb;
  uint32_t chunk_start = 0;
  uint32_t chunk_end = 0;  // exclusive
  uint64_t unpacked_length = 0;
};

// One fetch: chunks [chunk_start, chunk_end) of a xorb = serialized bytes [byte_start, byte_end]
// (inclusive, as the JSON and HTTP Range both say).
struct PlanFetch {
  uint32_t chunk_start = 0;
  uint32_t chunk_end = 0;
  uint64_t byte_start = 0;
  uint64_t byte_end = 0;
};

struct ReconstructionPlan {
  uint64_t file_size = 0;
  uint64_t range_start = 0;  // the bytes [range_start, range_end) of the file this plan yields
  uint64_t range_end = 0;
  uint64_t offset_into_first_range = 0;
  std::vector<PlanTerm> terms;
  // Per xorb (first use order), its merged chunk ranges, ascending; every term lies in one.
  std::vector<std::pair<MerkleHash, std::vector<PlanFetch>>> fetch;
};

// invalid_argument "RangeNotSatisfiable" when the range starts at or past the end (or is empty
// or reversed); not_found "XorbNotFound" when a term's xorb is gone; corrupt when a term does not
// fit its xorb (chunk range, unpacked bytes). An empty file plans to nothing.
Result<ReconstructionPlan> plan_reconstruction(std::span<const FileTerm> terms, const XorbLookup& lookup,
                                               std::optional<RangeRequest> range = std::nullopt);

// The signed transfer URL of one fetch range (the caller signs; the URL must honour any Range
// inside [byte_start, byte_end]).
using FetchUrl = std::function<std::string(const MerkleHash& xorb, const PlanFetch& fetch)>;

// The reply bodies of GET /v2/reconstructions/{file} and /v1/reconstructions/{file} (XET.md §4):
// hashes as xhex, chunk ranges end-exclusive, byte ranges end-inclusive, one fetch entry per
// merged range so every transfer request is single-range.
json::value reconstruction_v2_json(const ReconstructionPlan& plan, const FetchUrl& url);
json::value reconstruction_v1_json(const ReconstructionPlan& plan, const FetchUrl& url);

}  // namespace hub::storage::xet
