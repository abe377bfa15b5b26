// The one place every ref change goes through (git push, API commit, branch/tag edits):
// record what moved, bump the repo's lastModified, and (later) re-index its metadata.
// snapshot_refs + after_push diff a repo's refs around a `git receive-pack`. Thread-safe.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "services/hub.h"
#include "services/repos.h"
#include "storage/db/database.h"

namespace hub::services {

using RefSnapshot = std::map<std::string, std::string>;  // full ref name -> commit

Result<RefSnapshot> snapshot_refs(const std::string& repo_path);
// Diffs against the refs now on disk, records the changes; returns them.
Result<std::vector<storage::db::RefUpdate>> after_push(Hub& hub, const RepoHandle& repo, const RefSnapshot& before);
void on_refs_updated(Hub& hub, const RepoHandle& repo, const std::vector<storage::db::RefUpdate>& updates);

}  // namespace hub::services
