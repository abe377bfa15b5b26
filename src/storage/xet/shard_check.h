// Verifying an uploaded shard against the xorbs the CAS stores (XET.md §4 "Validation"): every
// CAS block matches its stored xorb, and every file's terms fit their xorbs, carry the right sizes
// and verification hashes, and merkle up to the file hash the shard claims. A shard that passes
// describes only bytes the CAS holds, so registering its files cannot claim data by name alone.
// Which xorbs the uploader may reference at all is the caller's rule (services/). Pure; thread-safe.
#pragma once

#include <functional>
#include <vector>

#include "core/result.h"
#include "storage/xet/hash.h"
#include "storage/xet/shard.h"

namespace hub::storage::xet {

// What verification needs of a stored xorb: its chunks' hashes and uncompressed sizes, in order.
struct StoredXorb {
  std::vector<MerkleHash> hashes;
  std::vector<uint32_t> sizes;
};

// null when the CAS does not hold (or the caller may not use) that xorb.
using StoredXorbLookup = std::function<const StoredXorb*(const MerkleHash&)>;

// corrupt, detail "XorbNotFound" when a term or CAS block names a xorb the lookup lacks, else
// "ShardVerificationFailed" with the first mismatch in the message. Files must carry one
// verification hash per term.
Result<void> verify_shard(const Shard& shard, const StoredXorbLookup& lookup);

}  // namespace hub::storage::xet
