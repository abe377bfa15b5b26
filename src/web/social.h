// Downloads and likes as the pages show them, from services/counters (the one place they are
// counted). Thread-safe.
#pragma once

#include <cstdint>

#include "core/result.h"
#include "services/auth.h"
#include "services/hub.h"
#include "storage/db/database.h"

namespace hub::web {

struct RepoStats {
  bool available = true;   // counters exist in this build
  int64_t downloads = 0;   // last 30 days
  int64_t likes = 0;
  bool liked = false;      // by the principal
};

// liked is only looked up when want_liked (one query over the principal's recent likes).
RepoStats repo_stats(services::Hub& hub, const storage::db::RepoRow& repo, const services::Principal& p,
                     bool want_liked = false);
// Returns the new like count.
Result<int64_t> set_like(services::Hub& hub, const storage::db::RepoRow& repo, const services::Principal& p,
                         bool like);

}  // namespace hub::web
