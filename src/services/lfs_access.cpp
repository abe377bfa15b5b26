#include "services/lfs_access.h"

#include <unordered_set>

#include "core/lfs_pointer.h"
#include "core/log.h"
#include "core/time.h"
#include "services/refs_changed.h"
#include "storage/git/lfs_pointer.h"

namespace hub::services {

namespace {

constexpr int kMaxLinkedReposChecked = 50;
constexpr int kBackfillBatch = 100;

Error not_stored() { return Error{Errc::not_found, std::string(kLfsNotStored), Detail::EntryNotFound}; }

// Linked to the repo; every other answer (absent link, bad oid) is "not stored".
Result<bool> linked(Hub& hub, int64_t repo_id, std::string_view oid) {
  if (!is_lfs_oid(oid)) return false;
  return hub.db().repo_has_lfs_object(repo_id, oid);
}

Result<bool> stored_with_size(Hub& hub, std::string_view oid, uint64_t size) {
  auto st = hub.blobs().stat(oid);
  if (!st) {
    if (st.error().code == Errc::not_found) return false;
    return std::unexpected(st.error());
  }
  return *st == size;
}

Result<void> link(Hub& hub, int64_t repo_id, std::vector<storage::db::LfsObjectRef> objects) {
  return hub.db().link_lfs_objects(repo_id, objects, now_ms());
}

// Linked to a repo that every writer of `repo` can read: a public one, or one of its namespace.
Result<bool> readable_by_writers_of(Hub& hub, const storage::db::RepoRow& repo, std::string_view oid) {
  HUB_TRY(owners, hub.db().lfs_object_repos(oid, kMaxLinkedReposChecked));
  for (int64_t id : owners) {
    auto row = hub.db().repo_by_id(id);
    if (row && (!row->is_private || row->ns == repo.ns)) return true;
  }
  return false;
}

}  // namespace

Result<uint64_t> lfs_object_size(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t pointer_size) {
  HUB_TRY(ok, linked(hub, repo_id, oid));
  if (!ok) return std::unexpected(not_stored());
  auto st = hub.blobs().stat(oid);
  if (!st) return std::unexpected(st.error().code == Errc::not_found ? not_stored() : st.error());
  if (*st != pointer_size) return std::unexpected(not_stored());
  return *st;
}

Result<std::unique_ptr<storage::lfs::BlobReader>> lfs_open_object(Hub& hub, int64_t repo_id, std::string_view oid,
                                                                  uint64_t pointer_size,
                                                                  storage::lfs::ByteRange range) {
  HUB_TRY(ok, linked(hub, repo_id, oid));
  if (!ok) return std::unexpected(not_stored());
  // One store call: a range the pointer's size allows but the stored object does not means
  // the sizes differ, which the size check below also catches for every other range.
  auto reader = hub.blobs().get(oid, range);
  if (!reader) {
    const Error& e = reader.error();
    if (e.code == Errc::not_found || (e.code == Errc::invalid_argument && e.detail == Detail::RangeNotSatisfiable))
      return std::unexpected(not_stored());
    return std::unexpected(e);
  }
  if ((*reader)->object_size() != pointer_size) return std::unexpected(not_stored());
  return std::move(*reader);
}

Result<std::string> lfs_read_object(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t pointer_size,
                                    storage::lfs::ByteRange range, size_t max_bytes) {
  HUB_TRY(reader, lfs_open_object(hub, repo_id, oid, pointer_size, range));
  // range_length() is clipped to the stored object, which equals the pointer's size.
  if (reader->range_length() > max_bytes)
    return fail(Errc::too_large, "LFS object range larger than " + std::to_string(max_bytes) + " bytes");
  std::string out(size_t(reader->range_length()), '\0');
  size_t filled = 0;
  while (filled < out.size()) {
    HUB_TRY(n, reader->read(out.data() + filled, out.size() - filled));
    if (n == 0) return fail(Errc::io, "LFS object ended early: " + std::string(oid));
    filled += n;
  }
  return out;
}

Result<bool> lfs_repo_has_object(Hub& hub, int64_t repo_id, std::string_view oid) {
  return linked(hub, repo_id, oid);
}

Result<void> lfs_link_upload(Hub& hub, int64_t repo_id, std::string_view oid, uint64_t size) {
  if (!is_lfs_oid(oid)) return fail(Errc::invalid_argument, "Invalid oid", Detail::InvalidLfsOid);
  return link(hub, repo_id, {{std::string(oid), size}});
}

Result<bool> lfs_readable_elsewhere(Hub& hub, const Principal& p, std::string_view oid) {
  if (!is_lfs_oid(oid)) return false;
  HUB_TRY(ids, hub.db().lfs_object_repos(oid, kMaxLinkedReposChecked));
  for (int64_t id : ids) {
    auto row = hub.db().repo_by_id(id);
    if (row && can_read(hub, p, *row)) return true;
  }
  return false;
}

Result<bool> lfs_link_for(Hub& hub, const Principal& p, int64_t repo_id, std::string_view oid, uint64_t size) {
  if (!is_lfs_oid(oid)) return fail(Errc::invalid_argument, "Invalid oid", Detail::InvalidLfsOid);
  HUB_TRY(stored, stored_with_size(hub, oid, size));
  if (!stored) return false;
  HUB_TRY(here, hub.db().repo_has_lfs_object(repo_id, oid));
  if (here) return true;
  HUB_TRY(readable, lfs_readable_elsewhere(hub, p, oid));
  if (!readable) return false;
  if (auto l = link(hub, repo_id, {{std::string(oid), size}}); !l) return std::unexpected(l.error());
  return true;
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
    auto here = hub.db().repo_has_lfs_object(repo.row.id, ptr.oid);
    if (!here || *here) continue;
    auto stored = stored_with_size(hub, ptr.oid, ptr.size);
    if (!stored || !*stored) continue;
    auto ok = readable_by_writers_of(hub, repo.row, ptr.oid);
    if (ok && *ok) links.push_back({ptr.oid, ptr.size});
  }
  if (auto r = link(hub, repo.row.id, links); !r) warn("lfs: cannot record pushed pointers", r.error().message);
}

namespace {

// The backfill of one repo: every pointer reachable from its refs, stored with its size.
void backfill_repo(Hub& hub, const storage::db::RepoRow& row) {
  std::string path = hub.repo_path(row.type, row.ns, row.name);
  auto refs = snapshot_refs(path);
  if (!refs) {
    log::warn("lfs backfill: cannot read refs", {{"repo", row.full_id()}, {"error", refs.error().message}});
    return;
  }
  std::vector<std::string> tips;
  for (const auto& [ref, oid] : *refs) tips.push_back(oid);
  if (tips.empty()) return;
  auto scan = storage::git::scan_lfs_pointers(path, tips, {});
  if (!scan) {
    log::warn("lfs backfill: cannot scan", {{"repo", row.full_id()}, {"error", scan.error().message}});
    return;
  }
  if (scan->truncated) log::warn("lfs backfill: scan stopped early", {{"repo", row.full_id()}});
  std::vector<storage::db::LfsObjectRef> links;
  for (const auto& ptr : scan->pointers) {
    auto here = hub.db().repo_has_lfs_object(row.id, ptr.oid);
    if (!here || *here) continue;
    auto stored = stored_with_size(hub, ptr.oid, ptr.size);
    if (!stored || !*stored) continue;
    if (auto ok = readable_by_writers_of(hub, row, ptr.oid); ok && !*ok) {
      auto owners = hub.db().lfs_object_repos(ptr.oid, 1);
      if (owners && !owners->empty())
        log::warn("lfs backfill: linked an object a private repo of another namespace holds; review this repo",
                  {{"repo", row.full_id()}, {"oid", ptr.oid}});
    }
    links.push_back({ptr.oid, ptr.size});
  }
  if (auto r = link(hub, row.id, links); !r)
    log::warn("lfs backfill: cannot record links", {{"repo", row.full_id()}, {"error", r.error().message}});
}

}  // namespace

Result<size_t> lfs_backfill_links(Hub& hub) {
  size_t done = 0;
  for (;;) {
    HUB_TRY(ids, hub.db().lfs_backfill_queue(kBackfillBatch));
    if (ids.empty()) break;
    for (int64_t id : ids) {
      if (auto row = hub.db().repo_by_id(id)) backfill_repo(hub, *row);
      // Dequeued even when the repo could not be read: a broken repo must not block start-up
      // forever, and its pointers can still be linked by uploading the bytes again.
      if (auto r = hub.db().lfs_backfill_done(id); !r) return std::unexpected(r.error());
      ++done;
    }
  }
  if (done) log::info("lfs backfill: linked the objects of existing repos", {{"repos", std::to_string(done)}});
  return done;
}

}  // namespace hub::services
