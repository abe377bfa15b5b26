// Xet CAS use cases (services/xet.h): tokens, uploads, dedup, plans, transfer URLs.
#include "services/xet.h"

#include <charconv>
#include <map>

#include "core/hash.h"
#include "core/log.h"
#include "storage/xet/shard.h"
#include "storage/xet/shard_check.h"
#include "storage/xet/xorb.h"

namespace hub::services {

namespace xet = storage::xet;
using storage::db::XetFileRow;
using storage::db::XetXorbRow;

namespace {

constexpr int kMaxLinkedReposChecked = 50;
constexpr int kMaxDedupXorbs = 8;
constexpr uint64_t kDedupKeyTtl = 7 * 24 * 3600;

std::string derived_key(Hub& hub, std::string_view purpose) {
  auto k = hmac_sha256(hub.secret(), purpose);
  return std::string(reinterpret_cast<const char*>(k.data()), k.size());
}
std::string token_key(Hub& hub) { return derived_key(hub, "hubd xet cas token v1"); }
std::string fetch_key(Hub& hub) { return derived_key(hub, "hubd xet transfer url v1"); }

std::string_view as_view(std::span<const uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// Whether the caller may use a stored xorb: linked to its repo, or to a repo it can read.
Result<bool> xorb_usable(Hub& hub, const XetCaller& c, std::string_view xorb) {
  HUB_TRY(ids, hub.db().xet_xorb_repos(xorb, kMaxLinkedReposChecked));
  for (int64_t id : ids) {
    if (id == c.repo.id) return true;
    auto row = hub.db().repo_by_id(id);
    if (row && can_read(hub, c.principal, *row)) return true;
  }
  return false;
}

Result<xet::XorbRecord> record_of(const XetXorbRow& row) {
  auto r = xet::decode_xorb_record(row.chunks);
  if (!r || r->hashes.size() != row.num_chunks) return fail(Errc::internal, "stored xorb index is unreadable: " + row.hash);
  return std::move(*r);
}

}  // namespace

Result<XetToken> xet_issue_token(Hub& hub, const Principal& p, std::string_view type, std::string_view ns,
                                 std::string_view name, xet::CasOp op, bool create_pr, std::string_view rev,
                                 std::string_view base_url, int64_t now_unix) {
  // The one access decision (open_repo): content (read past a gated repo's gate: a read token
  // opens its files' bytes), write, or contribute for a PR.
  Access need = op == xet::CasOp::read ? Access::content : create_pr ? Access::contribute : Access::write;
  HUB_TRY(h, open_repo(hub, p, type, ns, name, need));
  xet::CasGrant g;
  g.op = op;
  g.repo_type = std::string(type);
  g.repo_id = h.row.full_id();
  g.rev = std::string(rev);
  g.user = p.account ? p.account->name : "";
  g.expires_unix = now_unix + kXetTokenTtlSeconds;
  HUB_TRY(tok, xet::sign_cas_token(token_key(hub), g));
  return XetToken{std::move(tok), g.expires_unix, std::string(base_url) + std::string(kXetCasPrefix)};
}

Result<XetCaller> xet_authorize(Hub& hub, std::optional<std::string_view> authorization, xet::CasOp need,
                                int64_t now_unix) {
  std::string_view h = authorization.value_or("");
  if (h.size() < 7 || !(h.substr(0, 7) == "Bearer " || h.substr(0, 7) == "bearer "))
    return fail(Errc::unauthenticated, "A Xet access token is required (Authorization: Bearer)", Detail::InvalidToken);
  h.remove_prefix(7);
  HUB_TRY(g, xet::verify_cas_token(token_key(hub), h, now_unix));
  if (need == xet::CasOp::write && g.op != xet::CasOp::write)
    return fail(Errc::forbidden, "This Xet token is read-only", Detail::TokenMismatch);
  XetCaller c;
  auto id = split_repo_id(g.repo_id);
  if (!id) return fail(Errc::unauthenticated, "The Xet token names no repository", Detail::InvalidToken);
  auto row = hub.db().repo_by_name(g.repo_type, id->first, id->second);
  if (!row) {
    if (row.error().code == Errc::not_found)
      return fail(Errc::unauthenticated, "The repository of this Xet token is gone", Detail::InvalidToken);
    return std::unexpected(row.error());
  }
  c.repo = std::move(*row);
  if (!g.user.empty()) {
    auto a = hub.db().account_by_name(g.user);
    if (!a) return fail(Errc::unauthenticated, "The user of this Xet token is gone", Detail::InvalidToken);
    c.principal.kind = AuthKind::session;
    c.principal.account = std::move(*a);
  }
  // The repo may have turned private since the token was issued.
  if (!can_read(hub, c.principal, c.repo))
    return fail(Errc::unauthenticated, "This Xet token no longer grants access", Detail::InvalidToken);
  c.grant = std::move(g);
  return c;
}

Result<bool> xet_put_xorb(Hub& hub, const XetCaller& c, std::string_view hash_xhex, std::span<const uint8_t> body,
                          int64_t now_unix) {
  auto want = xet::parse_xhex(hash_xhex);
  if (!want) return fail(Errc::invalid_argument, "Invalid xorb hash in the path", Detail::InvalidXorb);
  if (body.size() > kXetMaxXorbUpload)
    return fail(Errc::too_large, "Xorb larger than " + std::to_string(xet::kMaxXorbBytes) + " bytes", Detail::XorbTooLarge);
  HUB_TRY(idx, xet::parse_xorb(body));
  if (idx.hash != *want)
    return fail(Errc::corrupt, "The xorb's chunks hash to " + xet::to_xhex(idx.hash) + ", not to its name " +
                                   std::string(hash_xhex), Detail::InvalidXorb);
  std::string name = xet::to_xhex(idx.hash);
  XetXorbRow row;
  if (auto have = hub.db().xet_xorb(name); have) {
    row = std::move(*have);  // stored already: this upload proves possession, link it
  } else if (have.error().code != Errc::not_found) {
    return std::unexpected(have.error());
  } else {
    // Bytes first, row second: a crash in between leaves an unreferenced blob, never a row
    // without its bytes.
    std::string_view bytes = as_view(body.first(idx.serialized_size));
    row.sha256 = sha256_hex(bytes);
    if (auto put = storage::lfs::put_blob(hub.blobs(), row.sha256, bytes); !put) return std::unexpected(put.error());
    row.hash = name;
    row.size = idx.serialized_size;
    row.unpacked = idx.uncompressed_size;
    row.num_chunks = idx.chunks.size();
    row.chunks = xet::encode_xorb_record(idx);
    row.created_at = now_unix;
  }
  return hub.db().put_xet_xorb(row, c.repo.id, c.user_id());
}

Result<bool> xet_put_shard(Hub& hub, const XetCaller& c, std::span<const uint8_t> body, int64_t now_unix) {
  if (body.size() > kXetMaxShardUpload)
    return fail(Errc::too_large, "Shard larger than " + std::to_string(kXetMaxShardUpload) + " bytes", Detail::ShardTooLarge);
  HUB_TRY(shard, xet::parse_shard(body));
  // Every xorb the shard names, if stored and usable by the caller.
  std::map<xet::MerkleHash, xet::XorbRecord> records;
  std::map<xet::MerkleHash, xet::StoredXorb> stored;
  auto load = [&](const xet::MerkleHash& h) -> Result<void> {
    if (records.contains(h)) return {};
    std::string name = xet::to_xhex(h);
    auto row = hub.db().xet_xorb(name);
    if (!row) return row.error().code == Errc::not_found ? Result<void>{} : std::unexpected(row.error());
    HUB_TRY(usable, xorb_usable(hub, c, name));
    if (!usable) return {};
    HUB_TRY(rec, record_of(*row));
    stored.emplace(h, rec.stored());
    records.emplace(h, std::move(rec));
    return {};
  };
  for (const auto& x : shard.xorbs)
    if (auto r = load(x.hash); !r) return std::unexpected(r.error());
  for (const auto& f : shard.files)
    for (const auto& t : f.terms)
      if (auto r = load(t.xorb); !r) return std::unexpected(r.error());
  auto ok = xet::verify_shard(shard, [&](const xet::MerkleHash& h) -> const xet::StoredXorb* {
    auto it = stored.find(h);
    return it == stored.end() ? nullptr : &it->second;
  });
  if (!ok) return std::unexpected(ok.error());

  storage::db::XetShardUpload up;
  std::string_view bytes = as_view(body);
  up.sha256 = sha256_hex(bytes);
  if (auto put = storage::lfs::put_blob(hub.blobs(), up.sha256, bytes); !put) return std::unexpected(put.error());
  up.size = body.size();
  up.repo_id = c.repo.id;
  up.uploader_id = c.user_id();
  up.at = now_unix;
  // Xorbs the shard only references (dedup) are not linked to this repo: its files are (and
  // reconstruct through it), but the xorbs stay usable for dedup only by those who can read
  // where they were uploaded, so a private repo's other chunks never surface through a public
  // copy of part of its data.
  for (const auto& f : shard.files) {
    XetFileRow row;
    row.hash = xet::to_xhex(f.file_hash);
    row.sha256 = f.sha256 ? xet::to_xhex(*f.sha256) : "";
    for (const auto& t : f.terms) row.size += t.unpacked_bytes;
    row.terms = xet::encode_terms(f.terms);
    row.created_at = now_unix;
    if (!f.terms.empty()) {
      // A file's first chunk is always a dedup key (XET.md §2.6).
      const auto& t = f.terms.front();
      up.dedup.emplace_back(xet::to_xhex(records.at(t.xorb).hashes.at(t.chunk_start)), xet::to_xhex(t.xorb));
    }
    up.files.push_back(std::move(row));
  }
  for (const auto& x : shard.xorbs)
    for (const auto& ch : x.chunks)
      if ((ch.flags & xet::kChunkFlagGlobalDedup) || xet::is_dedup_eligible(ch.hash))
        up.dedup.emplace_back(xet::to_xhex(ch.hash), xet::to_xhex(x.hash));
  return hub.db().put_xet_shard(up);
}

Result<std::optional<std::vector<uint8_t>>> xet_dedup_query(Hub& hub, const XetCaller& c, std::string_view chunk_xhex,
                                                            int64_t now_unix) {
  auto h = xet::parse_xhex(chunk_xhex);
  if (!h) return fail(Errc::invalid_argument, "Invalid chunk hash in the path");
  HUB_TRY(names, hub.db().xet_dedup_xorbs(xet::to_xhex(*h), kMaxDedupXorbs));
  std::vector<xet::ShardXorb> offered;
  for (const auto& name : names) {
    HUB_TRY(usable, xorb_usable(hub, c, name));
    if (!usable) continue;  // another user's private data: not even its existence
    HUB_TRY(row, hub.db().xet_xorb(name));
    HUB_TRY(rec, record_of(row));
    xet::ShardXorb x;
    x.hash = *xet::parse_xhex(name);
    x.num_bytes_in_xorb = uint32_t(row.unpacked);
    x.num_bytes_on_disk = uint32_t(row.size);
    uint32_t at = 0;
    for (size_t i = 0; i < rec.hashes.size(); ++i) {
      uint32_t flags = xet::is_dedup_eligible(rec.hashes[i]) ? xet::kChunkFlagGlobalDedup : 0;
      x.chunks.push_back(xet::ShardChunk{rec.hashes[i], at, rec.unpacked[i], flags});
      at += rec.unpacked[i];
    }
    offered.push_back(std::move(x));
  }
  if (offered.empty()) return std::optional<std::vector<uint8_t>>{};
  xet::MerkleHash key;
  do {
    std::string r = random_bytes(32);
    std::copy(r.begin(), r.end(), key.bytes.begin());
  } while (key.is_zero());
  return std::optional<std::vector<uint8_t>>{xet::dedup_reply_shard(offered, key, uint64_t(now_unix), kDedupKeyTtl)};
}

Result<xet::ReconstructionPlan> xet_plan(Hub& hub, const XetCaller& c, std::string_view file_xhex,
                                         std::optional<xet::RangeRequest> range) {
  auto h = xet::parse_xhex(file_xhex);
  if (!h) return fail(Errc::invalid_argument, "Invalid file hash in the path");
  std::string name = xet::to_xhex(*h);
  HUB_TRY(linked, hub.db().repo_has_xet_file(c.repo.id, name));
  if (!linked) return fail(Errc::not_found, "File not found", Detail::EntryNotFound);
  HUB_TRY(file, hub.db().xet_file(name));
  return xet_plan_file(hub, file, range);
}

Result<xet::ReconstructionPlan> xet_plan_file(Hub& hub, const XetFileRow& file, std::optional<xet::RangeRequest> range,
                                              std::map<xet::MerkleHash, xet::XorbLayout>* layouts_out) {
  auto terms = xet::decode_terms(file.terms);
  if (!terms) return fail(Errc::internal, "stored Xet file terms are unreadable: " + file.hash);
  std::map<xet::MerkleHash, xet::XorbLayout> layouts;
  for (const auto& t : *terms) {
    if (layouts.contains(t.xorb)) continue;
    auto row = hub.db().xet_xorb(xet::to_xhex(t.xorb));
    if (!row) {
      if (row.error().code == Errc::not_found) continue;  // the plan reports XorbNotFound
      return std::unexpected(row.error());
    }
    HUB_TRY(rec, record_of(*row));
    layouts.emplace(t.xorb, rec.layout());
  }
  auto plan = xet::plan_reconstruction(*terms, [&](const xet::MerkleHash& h) -> const xet::XorbLayout* {
    auto it = layouts.find(h);
    return it == layouts.end() ? nullptr : &it->second;
  }, range);
  if (plan && layouts_out) *layouts_out = std::move(layouts);
  return plan;
}

std::string xet_fetch_url(Hub& hub, std::string_view cas_url, const xet::MerkleHash& xorb, uint64_t first,
                          uint64_t last, int64_t exp_unix) {
  std::string name = xet::to_xhex(xorb);
  std::string range = std::to_string(first) + "-" + std::to_string(last);
  std::string exp = std::to_string(exp_unix);
  auto mac = hmac_sha256(fetch_key(hub), name + "|" + range + "|" + exp);
  std::string sig = base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  return std::string(cas_url) + "/v1/xorb-data/" + name + "?range=" + range + "&exp=" + exp + "&sig=" + sig;
}

Result<XetFetchGrant> xet_check_fetch(Hub& hub, std::string_view xorb_xhex, std::string_view range,
                                      std::string_view exp, std::string_view sig, int64_t now_unix) {
  auto mac = hmac_sha256(fetch_key(hub), std::string(xorb_xhex) + "|" + std::string(range) + "|" + std::string(exp));
  std::string want = base64url_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  if (!constant_time_equal(want, sig)) return fail(Errc::forbidden, "Invalid transfer URL signature", Detail::TokenMismatch);
  auto num = [](std::string_view s, auto& v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc() && p == s.data() + s.size();
  };
  int64_t e = 0;
  if (!num(exp, e) || now_unix >= e) return fail(Errc::forbidden, "Transfer URL expired", Detail::TokenExpired);
  XetFetchGrant g;
  size_t dash = range.find('-');
  if (dash == std::string_view::npos || !num(range.substr(0, dash), g.first) || !num(range.substr(dash + 1), g.last) ||
      g.last < g.first)
    return fail(Errc::forbidden, "Invalid transfer URL range", Detail::TokenMismatch);
  HUB_TRY(row, hub.db().xet_xorb(xorb_xhex));
  if (g.last >= row.size) return fail(Errc::forbidden, "Invalid transfer URL range", Detail::TokenMismatch);
  g.xorb_xhex = std::string(xorb_xhex);
  g.sha256 = row.sha256;
  g.size = row.size;
  return g;
}

Result<std::optional<XetFileRow>> xet_file_for_sha256(Hub& hub, int64_t repo_id, std::string_view sha256) {
  HUB_TRY(rows, hub.db().xet_files_by_sha256(repo_id, sha256));
  if (rows.empty()) return std::optional<XetFileRow>{};
  return std::optional<XetFileRow>{std::move(rows.front())};
}

}  // namespace hub::services
