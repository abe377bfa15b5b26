#include "services/hub.h"

#include <sys/stat.h>

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
  std::string db_url = cfg.db_url.empty() ? hub->cfg_.data_dir + "/hubd.db" : cfg.db_url;
  auto db = storage::db::Database::open(db_url);
  if (!db) return std::unexpected(db.error());
  hub->db_ = std::move(*db);
  auto blobs = storage::lfs::open_blob_store(cfg.blobs_url.empty() ? hub->cfg_.data_dir : cfg.blobs_url);
  if (!blobs) return std::unexpected(blobs.error());
  hub->blobs_ = std::move(*blobs);

  // The secret signs short-lived URLs; it must survive restarts and stay private.
  std::string secret_path = hub->cfg_.data_dir + "/secret";
  auto s = fs::read_file(secret_path, 4096);
  if (!s && s.error().code == Errc::not_found) {
    std::string fresh = hex_encode(random_bytes(32));
    if (auto w = fs::write_file_atomic(secret_path, fresh); !w) return std::unexpected(w.error());
    ::chmod(secret_path.c_str(), 0600);
    // Re-read: if another process (CLI and server starting together) won the race, use its.
    s = fs::read_file(secret_path, 4096);
  }
  if (!s) return std::unexpected(s.error());
  if (s->size() < 32) return fail(Errc::corrupt, secret_path + " is too short to be a secret");
  hub->secret_ = *s;
  // Once after the upgrade that made LFS reads check links: link what existing repos point to.
  if (auto b = lfs_backfill_links(*hub); !b)
    log::warn("lfs backfill failed; it is retried at the next start", {{"error", b.error().message}});
  hub->login_throttle_ = std::make_unique<LoginThrottle>(cfg.login_limits);
  // Once after an upgrade that changed the metadata rules (migration 6): re-index existing repos.
  if (auto r = reindex_queued(*hub); !r)
    log::warn("re-index of existing repos failed; it is retried at the next start", {{"error", r.error().message}});
  return hub;
}

std::string Hub::repo_path(std::string_view type, std::string_view ns, std::string_view name) const {
  return cfg_.data_dir + "/repos/" + std::string(type) + "s/" + std::string(ns) + "/" + std::string(name) + ".git";
}

}  // namespace hub::services
