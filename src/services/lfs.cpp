#include "services/lfs.h"

#include <charconv>

#include "core/hash.h"
#include "core/lfs_pointer.h"
#include "core/log.h"
#include "core/time.h"
#include "services/xet.h"

namespace hub::services {

namespace lfs = storage::lfs;

namespace {

// Tokens for one repo are signed with a key derived from the hub secret and the repo id, so a
// token copied into another repo's URL does not verify.
std::string repo_url_key(Hub& hub, int64_t repo_id) {
  auto mac = hmac_sha256(hub.secret(), "lfs-href repo " + std::to_string(repo_id));
  return hex_encode(std::span<const uint8_t>(mac.data(), mac.size()));
}

// The S3 staging area of presigned uploads granted for a repo (see BlobStore::presign_put).
std::string staging_scope(int64_t repo_id) { return "repo-" + std::to_string(repo_id); }

std::optional<int64_t> parse_id(std::string_view s) {
  int64_t v = 0;
  if (s.empty() || s.size() > 18) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

Result<LfsObjectResult> upload_one(Hub& hub, const Principal& p, const RepoHandle& repo, const LfsObjectResult& in,
                                   const LfsEndpoints& at, int64_t now) {
  LfsObjectResult r = in;
  uint64_t size = uint64_t(in.size);
  // Stored and already here, or readable by the caller elsewhere (then linked now): no actions.
  // Otherwise, stored or not, the caller has not shown it has the bytes: ask for them (the
  // upload is verified against the oid like any other, and a stored copy is identical).
  HUB_TRY(usable, lfs_link_for(hub, p, repo.row.id, in.oid, size));
  if (usable) return r;
  int64_t expires = now + kLfsHrefTtlSeconds;
  LfsAction up;
  up.expires_in = kLfsHrefTtlSeconds;
  if (auto url = hub.blobs().presign_put(in.oid, size, std::chrono::seconds(kLfsHrefTtlSeconds),
                                         staging_scope(repo.row.id))) {
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
  HUB_TRY(linked, lfs_repo_has_object(hub, repo.row.id, in.oid));
  if (!linked) {
    // Uploaded through Xet to this repo (issue 16): the href's GET rebuilds the bytes.
    HUB_TRY(xf, xet_file_for_sha256(hub, repo.row.id, in.oid));
    if (!xf || xf->size != uint64_t(in.size)) return missing();
    LfsAction down;
    down.expires_in = kLfsHrefTtlSeconds;
    down.href = lfs_object_href(hub, at.base_url, lfs::UrlOp::download, repo.row.id, in.oid, xf->size,
                                now + kLfsHrefTtlSeconds);
    r.download = std::move(down);
    return r;
  }
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
  if (!repo_id) return fail(Errc::unauthenticated, "Invalid or missing signature on this URL", Detail::InvalidToken);
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
  return lfs_link_upload(hub, grant.repo_id, grant.oid, grant.size);
}

namespace {

// A presigned S3 upload of oid staged for this repo: verified (sha256, size) and published now.
// false when there is none (or the store has no presigned uploads); corrupt on a mismatch.
// Only the repo the upload was granted for can publish it: bytes someone staged for their own
// repo are never visible here.
Result<bool> publish_staged(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t size) {
  auto fin = hub.blobs().finalize_presigned_put(oid, size, staging_scope(repo_id));
  if (fin) return true;
  if (fin.error().code == Errc::unsupported || fin.error().code == Errc::not_found) return false;
  return std::unexpected(fin.error());
}

}  // namespace

Result<void> lfs_verify(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t size) {
  if (!is_lfs_oid(oid)) return fail(Errc::invalid_argument, "Invalid oid", Detail::InvalidLfsOid);
  HUB_TRY(here, lfs_repo_has_object(hub, repo_id, oid));
  if (here) {
    // Uploaded through this repo (or deduped into it): only the size can still be wrong.
    auto st = hub.blobs().stat(oid);
    if (!st && st.error().code != Errc::not_found) return std::unexpected(st.error());
    if (st && *st != size)
      return fail(Errc::corrupt, "Object size is " + std::to_string(*st) + ", not " + std::to_string(size),
                  Detail::SizeMismatch);
    if (st) return {};
  }
  // Presigned S3 uploads land in staging; publishing checks their sha256 and size. Nothing
  // else links here: an object stored through another repo is absent to this one.
  HUB_TRY(published, publish_staged(hub, repo_id, oid, size));
  if (!published) return fail(Errc::not_found, "Object does not exist", Detail::EntryNotFound);
  return lfs_link_upload(hub, repo_id, oid, size);
}

Result<std::optional<uint64_t>> lfs_commit_object(Hub& hub, const Principal& p, int64_t repo_id,
                                                  std::string_view oid, std::optional<uint64_t> size) {
  if (!is_lfs_oid(oid)) return fail(Errc::invalid_argument, "Invalid oid", Detail::InvalidLfsOid);
  std::optional<uint64_t> stored;
  if (auto st = hub.blobs().stat(oid)) stored = *st;
  else if (st.error().code != Errc::not_found) return std::unexpected(st.error());
  uint64_t want = size.value_or(stored.value_or(0));
  if (stored && *stored == want) {
    HUB_TRY(ok, lfs_link_for(hub, p, repo_id, oid, want));
    if (ok) return want;
  }
  // JS never calls verify: its presigned upload is still staged. Publishing it proves the bytes
  // (also when the store already holds the object through other repos).
  if (size) {
    auto published = publish_staged(hub, repo_id, oid, *size);
    if (published && *published) {
      if (auto l = lfs_link_upload(hub, repo_id, oid, *size); !l) return std::unexpected(l.error());
      return *size;
    }
    if (!published && published.error().code != Errc::corrupt) return std::unexpected(published.error());
  }
  return std::nullopt;
}

Result<void> lfs_put_object(Hub& hub, int64_t repo_id, std::string_view oid, std::string_view bytes) {
  if (auto r = storage::lfs::put_blob(hub.blobs(), oid, bytes); !r) return r;
  return lfs_link_upload(hub, repo_id, oid, bytes.size());
}

}  // namespace hub::services
