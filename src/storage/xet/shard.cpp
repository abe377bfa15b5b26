#include "storage/xet/shard.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace hub::storage::xet {
namespace {

// "HFRepoMetaData\0" + 17 magic bytes (xet-core MDB_SHARD_HEADER_TAG).
constexpr uint8_t kTag[32] = {0x48, 0x46, 0x52, 0x65, 0x70, 0x6f, 0x4d, 0x65, 0x74, 0x61, 0x44,
                              0x61, 0x74, 0x61, 0x00, 0x55, 0x69, 0x67, 0x45, 0x6a, 0x7b, 0x81,
                              0x57, 0x83, 0xa5, 0xbd, 0xd9, 0x5c, 0xcd, 0xd1, 0x4a, 0xa9};
constexpr uint64_t kHeaderVersion = 2;
constexpr uint64_t kFooterVersion = 1;

auto invalid(std::string msg) { return fail(Errc::corrupt, "invalid shard: " + std::move(msg), "InvalidShard"); }

uint32_t rd32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
uint64_t rd64(const uint8_t* p) { return uint64_t(rd32(p)) | uint64_t(rd32(p + 4)) << 32; }
MerkleHash rdhash(const uint8_t* p) {
  MerkleHash h;
  std::memcpy(h.bytes.data(), p, 32);
  return h;
}

// A record whose hash is 32 x 0xff closes the file and the CAS sections (written with 16 zero
// bytes after it). As in xet-core, the hash alone decides: no file or xorb may be named by it,
// and a record that carries it is never read as one.
bool is_bookend(const uint8_t* r) {
  for (int i = 0; i < 32; ++i)
    if (r[i] != 0xff) return false;
  return true;
}

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> b) : b_(b) {}
  size_t left() const { return b_.size() - pos_; }
  size_t pos() const { return pos_; }
  // The next 48-byte record, or null at the end.
  const uint8_t* record() {
    if (left() < kShardRecordSize) return nullptr;
    const uint8_t* r = b_.data() + pos_;
    pos_ += kShardRecordSize;
    return r;
  }
  // Whether `n` more records fit (checked before reserving, so a count cannot make us allocate).
  bool has_records(uint64_t n) const { return n <= left() / kShardRecordSize; }

 private:
  std::span<const uint8_t> b_;
  size_t pos_ = 0;
};

class Writer {
 public:
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) out.push_back(uint8_t(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    u32(uint32_t(v));
    u32(uint32_t(v >> 32));
  }
  void hash(const MerkleHash& h) { out.insert(out.end(), h.bytes.begin(), h.bytes.end()); }
  void zeros(size_t n) { out.insert(out.end(), n, 0); }
  void bookend() {
    out.insert(out.end(), 32, 0xff);
    zeros(16);
  }
  std::vector<uint8_t> out;
};

}  // namespace

Result<Shard> parse_shard(std::span<const uint8_t> body) {
  if (body.size() > kMaxShardBytes) return fail(Errc::too_large, "shard larger than 64 MiB", "ShardTooLarge");
  Reader rd(body);
  const uint8_t* h = rd.record();
  if (!h || std::memcmp(h, kTag, sizeof kTag) != 0) return invalid("not an MDB shard (header tag)");
  if (rd64(h + 32) != kHeaderVersion) return invalid("header version " + std::to_string(rd64(h + 32)));
  uint64_t footer_size = rd64(h + 40);
  if (footer_size != 0 && footer_size != kShardFooterSize) return invalid("footer size " + std::to_string(footer_size));

  Shard shard;
  for (;;) {
    const uint8_t* r = rd.record();
    if (!r) return invalid("file section has no bookend");
    if (is_bookend(r)) break;
    ShardFile f;
    f.file_hash = rdhash(r);
    f.flags = rd32(r + 32);
    uint32_t n = rd32(r + 36);
    uint64_t records = uint64_t(n) * ((f.flags & kFileFlagVerification) ? 2 : 1) + ((f.flags & kFileFlagMetadataExt) ? 1 : 0);
    if (!rd.has_records(records)) return invalid("file entry count runs past the end");
    f.terms.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      const uint8_t* e = rd.record();
      FileTerm t{rdhash(e), rd32(e + 32), rd32(e + 36), rd32(e + 40), rd32(e + 44)};
      if (t.chunk_start >= t.chunk_end) return invalid("term with an empty chunk range");
      f.terms.push_back(t);
    }
    if (f.flags & kFileFlagVerification) {
      f.verification.reserve(n);
      for (uint32_t i = 0; i < n; ++i) f.verification.push_back(rdhash(rd.record()));
    }
    if (f.flags & kFileFlagMetadataExt) f.sha256 = rdhash(rd.record());
    shard.files.push_back(std::move(f));
  }
  for (;;) {
    const uint8_t* r = rd.record();
    if (!r) return invalid("CAS section has no bookend");
    if (is_bookend(r)) break;
    ShardXorb x;
    x.hash = rdhash(r);
    x.flags = rd32(r + 32);
    uint32_t n = rd32(r + 36);
    x.num_bytes_in_xorb = rd32(r + 40);
    x.num_bytes_on_disk = rd32(r + 44);
    if (!rd.has_records(n)) return invalid("xorb chunk count runs past the end");
    x.chunks.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      const uint8_t* e = rd.record();
      x.chunks.push_back({rdhash(e), rd32(e + 32), rd32(e + 36), rd32(e + 40)});
    }
    shard.xorbs.push_back(std::move(x));
  }
  if (footer_size == 0) {
    if (rd.left() != 0) return invalid("bytes after the CAS section without a footer");
    return shard;
  }
  // Lookup tables (if any) then the footer, which ends the shard.
  if (rd.left() < kShardFooterSize) return invalid("truncated footer");
  const uint8_t* ft = body.data() + body.size() - kShardFooterSize;
  if (rd64(ft) != kFooterVersion) return invalid("footer version " + std::to_string(rd64(ft)));
  ShardFooter footer;
  footer.chunk_hmac_key = rdhash(ft + 8 + 8 * 8);
  footer.creation_unix = rd64(ft + 8 + 8 * 8 + 32);
  footer.key_expiry_unix = rd64(ft + 8 + 8 * 8 + 40);
  shard.footer = footer;
  return shard;
}

std::vector<uint8_t> serialize_shard(const Shard& shard) {
  Writer w;
  w.out.insert(w.out.end(), kTag, kTag + sizeof kTag);
  w.u64(kHeaderVersion);
  w.u64(shard.footer ? kShardFooterSize : 0);
  uint64_t file_info_offset = w.out.size();
  for (const auto& f : shard.files) {
    w.hash(f.file_hash);
    w.u32(f.flags);
    w.u32(uint32_t(f.terms.size()));
    w.zeros(8);
    for (const auto& t : f.terms) {
      w.hash(t.xorb);
      w.u32(t.xorb_flags);
      w.u32(t.unpacked_bytes);
      w.u32(t.chunk_start);
      w.u32(t.chunk_end);
    }
    if (f.flags & kFileFlagVerification) {
      HUB_ASSERT(f.verification.size() == f.terms.size() && "one verification hash per term");
      for (const auto& v : f.verification) {
        w.hash(v);
        w.zeros(16);
      }
    }
    if (f.flags & kFileFlagMetadataExt) {
      HUB_ASSERT(f.sha256 && "the flag says a sha256 follows");
      w.hash(*f.sha256);
      w.zeros(16);
    }
  }
  w.bookend();
  uint64_t cas_info_offset = w.out.size();
  for (const auto& x : shard.xorbs) {
    w.hash(x.hash);
    w.u32(x.flags);
    w.u32(uint32_t(x.chunks.size()));
    w.u32(x.num_bytes_in_xorb);
    w.u32(x.num_bytes_on_disk);
    for (const auto& c : x.chunks) {
      w.hash(c.hash);
      w.u32(c.byte_range_start);
      w.u32(c.unpacked_bytes);
      w.u32(c.flags);
      w.zeros(4);
    }
  }
  w.bookend();
  if (!shard.footer) return std::move(w.out);
  uint64_t footer_offset = w.out.size();
  w.u64(kFooterVersion);
  w.u64(file_info_offset);
  w.u64(cas_info_offset);
  for (int table = 0; table < 3; ++table) {  // file, xorb, chunk lookup: none
    w.u64(footer_offset);
    w.u64(0);
  }
  w.hash(shard.footer->chunk_hmac_key);
  w.u64(shard.footer->creation_unix);
  w.u64(shard.footer->key_expiry_unix);
  w.zeros(6 * 8);
  uint64_t stored = 0, materialized = 0;
  for (const auto& x : shard.xorbs) stored += x.num_bytes_in_xorb;
  for (const auto& f : shard.files)
    for (const auto& t : f.terms) materialized += t.unpacked_bytes;
  w.u64(0);  // stored_bytes_on_disk: not tracked in replies
  w.u64(materialized);
  w.u64(stored);
  w.u64(footer_offset);
  HUB_ASSERT(w.out.size() - footer_offset == kShardFooterSize);
  return std::move(w.out);
}

std::vector<uint8_t> dedup_reply_shard(std::span<const ShardXorb> offered, const MerkleHash& key, uint64_t now_unix,
                                       uint64_t ttl_seconds) {
  HUB_ASSERT(!key.is_zero() && "dedup replies are always keyed");
  Shard reply;
  reply.xorbs.assign(offered.begin(), offered.end());
  for (auto& x : reply.xorbs)
    for (auto& c : x.chunks) c.hash = hmac(c.hash, key);
  reply.footer = ShardFooter{key, now_unix, now_unix + ttl_seconds};
  return serialize_shard(reply);
}

}  // namespace hub::storage::xet
