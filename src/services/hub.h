// Hub: the process-wide context the use cases share: data directory layout, the metadata
// database, the large-file blob store, the server secret (signs short-lived URLs), the log-in
// throttle and settings. Created once at start by cli/ and passed by reference; thread-safe
// (the database and the throttle lock, the rest is immutable).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "services/limits.h"
#include "services/login_throttle.h"
#include "storage/db/database.h"
#include "storage/lfs/blob_store.h"

namespace hub::services {

struct HubConfig {
  std::string data_dir = "hubd-data";
  std::string db_url;            // empty: <data_dir>/hubd.db
  std::string blobs_url;         // empty: local disk under <data_dir>/lfs; or s3://bucket?endpoint=...
  // Node-local work (model snapshots, the git hook script): empty = <data_dir>, as one node on
  // its own disk has it. Several nodes sharing data_dir each set their own (issue 18).
  std::string scratch_dir;
  bool allow_signup = true;
  Limits limits;                 // quotas on pushes, LFS objects and trees (services/limits.h)
  // Model snapshots (<data>/cache/models) not in use are removed, oldest first, beyond this
  // many bytes of their own (HUBD_MODEL_SNAPSHOT_MB; model_snapshots.h).
  uint64_t model_snapshot_bytes = 10240ull << 20;
  LoginLimits login_limits;      // password log-ins per account and per client address
};

class Hub {
 public:
  // Creates the data directory layout if needed, opens (and migrates) the database, and
  // loads or creates the server secret (kept in the database, shared by every node; an older
  // hub's <data>/secret file is imported so the URLs it signed stay valid). Start-up never
  // removes another process's work under data_dir: only this store's dead upload temps.
  static Result<std::unique_ptr<Hub>> open(const HubConfig& cfg);

  storage::db::Database& db() { return *db_; }
  storage::lfs::BlobStore& blobs() { return *blobs_; }
  const HubConfig& config() const { return cfg_; }
  const std::string& secret() const { return secret_; }
  LoginThrottle& login_throttle() { return *login_throttle_; }
  const std::string& data_dir() const { return cfg_.data_dir; }
  // Under data_dir: work that ends by renaming into data_dir (new repos), so on its filesystem.
  std::string tmp_dir() const { return cfg_.data_dir + "/tmp"; }
  // This node's own (HubConfig::scratch_dir): model snapshots, hooks.
  const std::string& scratch_dir() const { return cfg_.scratch_dir; }
  // <data>/repos/{models,datasets,spaces}/{ns}/{name}.git
  std::string repo_path(std::string_view type, std::string_view ns, std::string_view name) const;

 private:
  HubConfig cfg_;
  std::unique_ptr<storage::db::Database> db_;
  std::unique_ptr<storage::lfs::BlobStore> blobs_;
  std::string secret_;
  std::unique_ptr<LoginThrottle> login_throttle_;
};

}  // namespace hub::services
