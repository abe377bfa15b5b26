// How the CAS keeps a xorb's chunk index and a file's terms in the database (storage/db
// xet_types.h holds them as opaque text): compact binary, base64. A xorb record is what both
// shard verification (chunk hashes, sizes) and reconstruction plans / the byte bridge (serialized
// offsets) need, so a stored xorb is never re-parsed to answer a request. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/xet/hash.h"
#include "storage/xet/reconstruction.h"
#include "storage/xet/shard.h"
#include "storage/xet/shard_check.h"
#include "storage/xet/xorb.h"

namespace hub::storage::xet {

struct XorbRecord {
  std::vector<MerkleHash> hashes;  // per chunk
  std::vector<uint32_t> unpacked;  // per chunk
  std::vector<uint64_t> offsets;   // serialized offset of each chunk, plus the end (n + 1)

  XorbLayout layout() const { return XorbLayout{unpacked, offsets}; }
  StoredXorb stored() const { return StoredXorb{hashes, unpacked}; }
};

std::string encode_xorb_record(const XorbIndex& index);
// nullopt when the text is not a record this encoder wrote.
std::optional<XorbRecord> decode_xorb_record(std::string_view text);

std::string encode_terms(std::span<const FileTerm> terms);
std::optional<std::vector<FileTerm>> decode_terms(std::string_view text);

}  // namespace hub::storage::xet
