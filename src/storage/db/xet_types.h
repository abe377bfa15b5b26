// Rows of the Xet CAS tables (issue 16, migration 7; services/xet.h is the only user). Hashes
// are xhex strings (storage/xet/hash.h); the chunk index and term lists are opaque text that
// storage/xet/records.h encodes, so the database needs no Xet knowledge.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hub::storage::db {

// A stored xorb: its serialized bytes are the blob-store object `sha256` (content-addressed, so
// both blob-store backends keep them unchanged).
struct XetXorbRow {
  std::string hash;        // xhex (the merkle root of its chunks)
  std::string sha256;      // blob-store key of the serialized body
  uint64_t size = 0;       // serialized bytes stored (footer stripped)
  uint64_t unpacked = 0;   // Σ uncompressed chunk sizes
  uint64_t num_chunks = 0;
  std::string chunks;      // encoded chunk index: hash, uncompressed and serialized size per chunk
  int64_t created_at = 0;
};

// A file a verified shard registered: its terms name xorb chunk ranges.
struct XetFileRow {
  std::string hash;     // xhex file hash
  std::string sha256;   // lowercase hex; "" when the shard carried no metadata extension
  uint64_t size = 0;    // Σ term bytes
  std::string terms;    // encoded terms
  int64_t created_at = 0;
};

// One accepted shard upload and what it registers, written in one transaction (a shard is either
// wholly registered or not at all).
struct XetShardUpload {
  std::string sha256;   // blob-store key of the shard body
  uint64_t size = 0;
  int64_t repo_id = 0;  // the repo the write token named
  int64_t uploader_id = 0;
  std::vector<XetFileRow> files;                            // linked to repo_id
  std::vector<std::string> xorbs;                           // xorbs the shard names, linked to repo_id
  std::vector<std::pair<std::string, std::string>> dedup;   // (chunk xhex, xorb xhex) global-dedup entries
  int64_t at = 0;
};

}  // namespace hub::storage::db
