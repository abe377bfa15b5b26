#include "services/lfs.h"

#include <charconv>
#include <unordered_set>

#include "core/hash.h"
#include "core/lfs_pointer.h"
#include "core/log.h"
#include "core/time.h"
#include "services/refs_changed.h"
#include "storage/git/lfs_pointer.h"

namespace hub::services {

namespace lfs = storage::lfs;

namespace {

constexpr int kMaxLinkedReposChecked = 50;

// Tokens for one repo are signed with a key derived from the hub secret and the repo id, so a
// token copied into another repo's URL does not verify.
std::string repo_url_key(Hub& hub, int64_t repo_id) {
  auto mac = hmac_sha256(hub.secret(), "lfs-href repo " + std::to_string(repo_id));
  return hex_encode(std::span<const uint8_t>(mac.data(), mac.size()));
}

std::optional<int64_t> parse_id(std::string_view s) {
  int64_t v = 0;
  if (s.empty() || s.size() > 18) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

Result<bool> stored_with_size(Hub& hub, std::string_view oid, uint64_t size) {
  auto st = hub.blobs().stat(oid);
  if (!st) {
    if (st.error().code == Errc::not_found) return false;
    return std::unexpected(st.error());
  }
  return *st == size;
}

// Can p read oid through some repo it is linked to (cross-repo dedup without re-upload)?
Result<bool> readable_elsewhere(Hub& hub, const Principal& p, std::string_view oid) {
  HUB_TRY(ids, hub.db().lfs_object_repos(oid, kMaxLinkedReposChecked));
  for (int64_t id : ids) {
    auto row = hub.db().repo_by_id(id);
    if (row && can_read(hub, p, *row)) return true;
  }
  return false;
}

Result<LfsObjectResult> upload_one(Hub& hub, const Principal& p, const RepoHandle& repo, const LfsObjectResult& in,
                                   const LfsEndpoints& at, int64_t now) {
  LfsObjectResult r = in;
  uint64_t size = uint64_t(in.size);
  HUB_TRY(stored, stored_with_size(hub, in.oid, size));
  if (stored) {
    HUB_TRY(linked, hub.db().repo_has_lfs_object(repo.row.id, in.oid));
    if (linked) return r;  // already here: no actions
    HUB_TRY(readable, readable_elsewhere(hub, p, in.oid));
    if (readable) {
      if (auto l = lfs_link_object(hub, repo.row.id, in.oid, size); !l) return std::unexpected(l.error());
      return r;
    }
    // Stored, but the caller has not shown it has the bytes: ask for them (the upload is
    // verified against the oid like any other, and the stored copy is identical).
  }
  int64_t expires = now + kLfsHrefTtlSeconds;
  LfsAction up;
  up.expires_in = kLfsHrefTtlSeconds;
  if (auto url = hub.blobs().presign_put(in.oid, size, std::chrono::seconds(kLfsHrefTtlSeconds))) {
    up.href = *url;  // straight to S3; the size is part of the signature
  } else {
    up.href = lfs_object_href(hub, at.base_url, lfs::UrlOp::upload, repo.row.id, in.oid, size, expires);
    up.header.emplace_back("Content-Type", "application/octet-stream");
  }
  r.upload = std::move(up);
  LfsAction verify;
  std::string token = lfs::sign_url_token(repo_url_key(hub, repo.row.id),
                                          lfs::UrlGrant{lfs::UrlOp::upload, in.oid, size, expires});
  verify.href = at.lfs_url + "/verify?repo=" + std::to_string(repo.row.id) + "&token=" + token;
  verify.expires_in = kLfsHrefTtlSeconds;
  r.verify = std::move(verify);
  return r;
}

Result<LfsObjectResult> download_one(Hub& hub, const RepoHandle& repo, const LfsObjectResult& in,
                                     const LfsEndpoints& at, int64_t now) {
  LfsObjectResult r = in;
  // The same answer whether the object is absent or belongs to other repos only: nothing
  // about other repos' objects can be learned through this one.
  auto missing = [&] {
    r.error_code = 404;
    r.error_message = "Object does not exist";
    return r;
  };
  HUB_TRY(linked, hub.db().repo_has_lfs_object(repo.row.id, in.oid));
  if (!linked) return missing();
  auto st = hub.blobs().stat(in.oid);
  if (!st) {
    if (st.error().code == Errc::not_found) return missing();
    return std::unexpected(st.error());
  }
  if (*st != uint64_t(in.size)) {
    r.error_code = 422;
    r.error_message = "Object size is " + std::to_string(*st) + ", not " + std::to_string(in.size);
    return r;
  }
  LfsAction down;
  down.expires_in = kLfsHrefTtlSeconds;
  if (auto url = hub.blobs().presign_get(in.oid, std::chrono::seconds(kLfsHrefTtlSeconds)))
    down.href = *url;
  else
    down.href = lfs_object_href(hub, at.base_url, lfs::UrlOp::download, repo.row.id, in.oid, *st,
                                now + kLfsHrefTtlSeconds);
  r.download = std::move(down);
  return r;
}

}  // namespace

Result<std::vector<LfsObjectResult>> lfs_batch(Hub& hub, const Principal& p, const RepoHandle& repo, LfsOp op,
                                               std::span<const LfsObjectRequest> objects, const LfsEndpoints& at,
                                               int64_t now_unix) {
  std::vector<LfsObjectResult> out;
  out.reserve(objects.size());
  for (const auto& o : objects) {
    LfsObjectResult r;
    r.oid = o.oid;
    r.size = o.size;
    if (!is_lfs_oid(o.oid)) {
      r.error_code = 422;
      r.error_message = "Invalid oid: expected 64 lowercase hex characters (sha256)";
    } else if (o.size < 0) {
      r.error_code = 422;
      r.error_message = "Invalid size: must be a non-negative integer";
    } else {
      auto done = op == LfsOp::upload ? upload_one(hub, p, repo, r, at, now_unix) : download_one(hub, repo, r, at, now_unix);
      if (!done) return std::unexpected(done.error());
      r = std::move(*done);
    }
    out.push_back(std::move(r));
  }
  return out;
}

std::string lfs_object_href(Hub& hub, std::string_view base_url, lfs::UrlOp op, int64_t repo_id,
                            std::string_view oid, uint64_t size, int64_t expires_unix) {
  std::string token =
      lfs::sign_url_token(repo_url_key(hub, repo_id), lfs::UrlGrant{op, std::string(oid), size, expires_unix});
  return std::string(base_url) + "/api/lfs-objects/" + std::string(oid) + "?repo=" + std::to_string(repo_id) +
         "&token=" + token;
}

Result<LfsGrant> lfs_check_token(Hub& hub, lfs::UrlOp op, std::string_view oid, std::string_view repo_param,
                                 std::string_view token, int64_t now_unix) {
  auto repo_id = parse_id(repo_param);
  if (!repo_id) return fail(Errc::unauthenticated, "Invalid or missing signature on this URL", "InvalidToken");
  HUB_TRY(g, lfs::verify_url_token_for(repo_url_key(hub, *repo_id), token, op, oid, now_unix));
  return LfsGrant{*repo_id, g.oid, g.size};
}

Result<void> lfs_receive_upload(Hub& hub, const LfsGrant& grant, const LfsBodyReader& read) {
  HUB_TRY(writer, hub.blobs().begin_put(lfs::PutOptions{grant.oid, grant.size}));
  // 1 MiB at a time: memory stays flat whatever the object size. Socket reads return a few
  // KiB each; filling the buffer first keeps the writes (and hashing) in large blocks.
  std::vector<char> buf(size_t(1) << 20);
  for (bool end = false; !end;) {
    size_t filled = 0;
    while (filled < buf.size()) {
      HUB_TRY(n, read(buf.data() + filled, buf.size() - filled));
      if (n == 0) {
        end = true;
        break;
      }
      filled += n;
    }
    if (filled == 0) break;
    if (auto w = writer->write(std::string_view(buf.data(), filled)); !w) return w;  // the writer aborts when dropped
  }
  if (auto c = writer->commit(grant.oid, grant.size); !c) return c;
  return lfs_link_object(hub, grant.repo_id, grant.oid, grant.size);
}

Result<void> lfs_verify(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t size) {
  if (!is_lfs_oid(oid)) return fail(Errc::invalid_argument, "Invalid oid", "InvalidOid");
  auto st = hub.blobs().stat(oid);
  if (!st && st.error().code != Errc::not_found) return std::unexpected(st.error());
  if (!st) {
    // Presigned S3 uploads land in staging; publishing checks their sha256 and size.
    auto fin = hub.blobs().finalize_presigned_put(oid, size);
    if (!fin) {
      if (fin.error().code == Errc::unsupported || fin.error().code == Errc::not_found)
        return fail(Errc::not_found, "Object does not exist", "EntryNotFound");
      return fin;
    }
  } else if (*st != size) {
    return fail(Errc::corrupt, "Object size is " + std::to_string(*st) + ", not " + std::to_string(size),
                "SizeMismatch");
  }
  return lfs_link_object(hub, repo_id, oid, size);
}

Result<bool> lfs_object_exists(Hub& hub, std::string_view oid, uint64_t size) {
  if (!is_lfs_oid(oid)) return fail(Errc::invalid_argument, "Invalid oid", "InvalidOid");
  HUB_TRY(stored, stored_with_size(hub, oid, size));
  if (stored) return true;
  auto fin = hub.blobs().finalize_presigned_put(oid, size);
  if (fin) return true;
  if (fin.error().code == Errc::unsupported || fin.error().code == Errc::not_found ||
      fin.error().code == Errc::corrupt)
    return false;
  return std::unexpected(fin.error());
}

Result<void> lfs_link_object(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t size) {
  if (!is_lfs_oid(oid)) return fail(Errc::invalid_argument, "Invalid oid", "InvalidOid");
  return hub.db().link_lfs_objects(repo_id, {storage::db::LfsObjectRef{std::string(oid), size}}, now_ms());
}

Result<bool> lfs_commit_object(Hub& hub, const Principal& p, int64_t repo_id, std::string_view oid, uint64_t size) {
  if (!is_lfs_oid(oid)) return fail(Errc::invalid_argument, "Invalid oid", "InvalidOid");
  HUB_TRY(stored, stored_with_size(hub, oid, size));
  if (stored) {
    HUB_TRY(linked, hub.db().repo_has_lfs_object(repo_id, oid));
    if (linked) return true;
  }
  // JS never calls verify: a presigned upload is still staged. Publishing it proves the bytes.
  if (auto fin = hub.blobs().finalize_presigned_put(oid, size); fin) {
    if (auto l = lfs_link_object(hub, repo_id, oid, size); !l) return std::unexpected(l.error());
    return true;
  } else if (fin.error().code != Errc::unsupported && fin.error().code != Errc::not_found &&
             fin.error().code != Errc::corrupt) {
    return std::unexpected(fin.error());
  }
  if (!stored) return false;
  HUB_TRY(owners, hub.db().lfs_object_repos(oid, 1));
  bool usable = owners.empty();
  if (!usable) {
    HUB_TRY(readable, readable_elsewhere(hub, p, oid));
    usable = readable;
  }
  if (!usable) return false;
  if (auto l = lfs_link_object(hub, repo_id, oid, size); !l) return std::unexpected(l.error());
  return true;
}

Result<bool> lfs_repo_has_object(Hub& hub, int64_t repo_id, std::string_view oid) {
  return hub.db().repo_has_lfs_object(repo_id, oid);
}

void lfs_link_pushed_pointers(Hub& hub, const RepoHandle& repo, const std::vector<storage::db::RefUpdate>& updates) {
  static const std::string kZero(40, '0');
  std::vector<std::string> tips, hide;
  std::unordered_set<std::string> updated;
  for (const auto& u : updates) {
    updated.insert(u.ref);
    if (u.new_oid != kZero) tips.push_back(u.new_oid);
    if (u.old_oid != kZero) hide.push_back(u.old_oid);
  }
  if (tips.empty()) return;
  // Commits reachable from refs that did not move were scanned when they arrived.
  if (auto refs = snapshot_refs(repo.path))
    for (const auto& [ref, oid] : *refs)
      if (!updated.contains(ref)) hide.push_back(oid);
  auto scan = storage::git::scan_lfs_pointers(repo.path, tips, hide);
  auto warn = [&](std::string_view what, const std::string& detail) {
    log::warn(std::string(what), {{"repo", repo.row.full_id()}, {"detail", detail}});
  };
  if (!scan) return warn("lfs: cannot scan pushed commits for pointers", scan.error().message);
  if (scan->truncated) warn("lfs: pointer scan stopped early", std::to_string(scan->commits) + " commits");
  std::vector<storage::db::LfsObjectRef> links;
  for (const auto& ptr : scan->pointers) {
    auto linked = hub.db().repo_has_lfs_object(repo.row.id, ptr.oid);
    if (!linked || *linked) continue;
    // Only objects already stored, and only when that leaks nothing: unclaimed, public, or
    // kept by a repo of the same namespace. Otherwise a pointer naming someone else's private
    // oid would open it; such objects get linked when the bytes are uploaded to this repo.
    auto stored = stored_with_size(hub, ptr.oid, ptr.size);
    if (!stored || !*stored) continue;
    auto owners = hub.db().lfs_object_repos(ptr.oid, kMaxLinkedReposChecked);
    if (!owners) continue;
    bool ok = owners->empty();
    for (int64_t id : *owners) {
      auto row = hub.db().repo_by_id(id);
      if (row && (!row->is_private || row->ns == repo.row.ns)) {
        ok = true;
        break;
      }
    }
    if (ok) links.push_back({ptr.oid, ptr.size});
  }
  if (auto r = hub.db().link_lfs_objects(repo.row.id, links, now_ms()); !r)
    warn("lfs: cannot record pushed pointers", r.error().message);
}

}  // namespace hub::services
