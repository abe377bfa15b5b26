// A repo's training metrics: the TensorBoard scalars of every events.out.tfevents.* file at a
// commit (issue 10), for the metrics API and the Metrics tab alike.
//
// Memory is bounded by what is stored, never by what a pointer claims (issue 14, finding 3):
// an LFS event file is read only through lfs_read_object (linked to the repo, stored with the
// pointer's size; otherwise it is left out with a kLfsNotStored warning) and sized by the
// stored object. One commit's event bytes are capped (too_large beyond), and all loads
// together hold at most kMaxEventBytesInFlight of them (conflict/MetricsBusy beyond: retry).
// Parsed scalars are cached per (repo, commit), commits being immutable: a bounded LRU with one
// load at a time per key, so repeated or concurrent requests parse once. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "services/hub.h"
#include "services/repos.h"
#include "storage/git/repo.h"
#include "tensorboard/scalars.h"

namespace hub::services {

inline constexpr uint64_t kMaxEventBytes = 512ull << 20;          // one commit's event files
inline constexpr uint64_t kMaxEventBytesInFlight = 512ull << 20;  // all loads at once

using RepoScalars = std::shared_ptr<const tensorboard::ScalarData>;

// The scalars of repo at commit (a 40-hex id already resolved by the caller, who checked read
// access). Errors: too_large (413), conflict with Detail::MetricsBusy (503 + Retry-After),
// storage errors.
Result<RepoScalars> repo_scalars(Hub& hub, const RepoHandle& repo, storage::git::Repo& git,
                                 const std::string& commit);

}  // namespace hub::services
