#include "services/hub.h"

#include <filesystem>

#include "core/fs.h"
#include "core/hash.h"
#include "core/log.h"
#include "services/indexer.h"
#include "services/lfs_access.h"

namespace hub::services {

Result<std::unique_ptr<Hub>> Hub::open(const HubConfig& cfg) {
  auto hub = std::make_unique<Hub>();
  hub->cfg_ = cfg;
  std::error_code ec;
  hub->cfg_.data_dir = std::filesystem::absolute(cfg.data_dir, ec).lexically_normal().string();
  if (hub->cfg_.data_dir.ends_with('/')) hub->cfg_.data_dir.pop_back();
  for (const char* sub : {"", "/repos/models", "/repos/datasets", "/repos/spaces", "/tmp", "/lfs"})
    if (auto r = fs::make_dirs(hub->cfg_.data_dir + sub); !r) return std::unexpected(r.error());
  if (hub->cfg_.scratch_dir.empty()) {
    hub->cfg_.scratch_dir = hub->cfg_.data_dir;
  } else {
    hub->cfg_.scratch_dir = std::filesystem::absolute(cfg.scratch_dir, ec).lexically_normal().string();
    if (hub->cfg_.scratch_dir.ends_with('/')) hub->cfg_.scratch_dir.pop_back();
  }
  if (auto r = fs::make_dirs(hub->cfg_.scratch_dir + "/tmp"); !r) return std::unexpected(r.error());
  std::string db_url = cfg.db_url.empty() ? hub->cfg_.data_dir + "/hubd.db" : cfg.db_url;
  auto db = storage::db::Database::open(db_url);
  if (!db) return std::unexpected(db.error());
  hub->db_ = std::move(*db);
  auto blobs = storage::lfs::open_blob_store(cfg.blobs_url.empty() ? hub->cfg_.data_dir : cfg.blobs_url);
  if (!blobs) return std::unexpected(blobs.error());
  hub->blobs_ = std::move(*blobs);

  // The secret signs short-lived URLs; every node must sign and check with the same one, so
  // it lives in the database. An older hub kept it in <data>/secret: that one is imported (the
  // URLs it signed stay valid), else the first node to start stores a fresh one.
  std::string secret_path = hub->cfg_.data_dir + "/secret";
  std::string candidate;
  if (auto f = fs::read_file(secret_path, 4096); f && f->size() >= 32)
    candidate = *f;
  else if (!f && f.error().code != Errc::not_found)
    return std::unexpected(f.error());
  else
    candidate = hex_encode(random_bytes(32));
  auto secret = hub->db_->setting_or_init("secret", candidate);
  if (!secret) return std::unexpected(secret.error());
  if (secret->size() < 32) return fail(Errc::corrupt, "the stored secret is too short to be a secret");
  hub->secret_ = *secret;
  hub->login_throttle_ = std::make_unique<LoginThrottle>(cfg.login_limits);
  {
    // The start-up queues are worked by one node at a time: nodes starting together wait here
    // for the first, then find the queues empty (nothing is done twice, and no node serves
    // before the re-index is complete). Without the lock (database error) the work is still
    // safe, only perhaps repeated.
    auto held = hub->db_->lock("startup-queues");
    if (!held) log::warn("cannot take the start-up lock", {{"error", held.error().message}});
    // Once after the upgrade that made LFS reads check links: link what existing repos point to.
    if (auto b = lfs_backfill_links(*hub); !b)
      log::warn("lfs backfill failed; it is retried at the next start", {{"error", b.error().message}});
    // Once after an upgrade that changed the metadata rules (migration 6): re-index existing repos.
    if (auto r = reindex_queued(*hub); !r)
      log::warn("re-index of existing repos failed; it is retried at the next start", {{"error", r.error().message}});
  }
  return hub;
}

std::string Hub::repo_path(std::string_view type, std::string_view ns, std::string_view name) const {
  return cfg_.data_dir + "/repos/" + std::string(type) + "s/" + std::string(ns) + "/" + std::string(name) + ".git";
}

}  // namespace hub::services
