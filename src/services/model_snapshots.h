// Model snapshot housekeeping: the directories materialize_model_files builds under
// <data>/cache/models/<repo uid>/<commit>/ are pinned while a model loads from them and for
// as long as the loaded model lives (a SnapshotPin held with it), and unpinned ones are
// removed, least recently used first (by the directory's mtime, set on each pin), whenever
// the snapshots' own bytes exceed HubConfig::model_snapshot_bytes (HUBD_MODEL_SNAPSHOT_MB).
// A snapshot's own bytes are those of files it alone links: weights hard-linked from the
// local LFS store cost nothing while the store keeps the object; copies (configs,
// tokenizers, weights streamed from S3) count. So a model evicted from the model cache
// leaves its snapshot behind only while it fits the limit, and a snapshot in use is never
// deleted. Thread-safe (one process-wide lock over pins and trims).
#pragma once

#include <cstdint>
#include <string>

#include "services/hub.h"

namespace hub::services {

class SnapshotPin {
 public:
  SnapshotPin() = default;
  // Unpins; the last pin of a snapshot trims the cache to its limit.
  ~SnapshotPin();
  SnapshotPin(SnapshotPin&& o) noexcept;
  SnapshotPin& operator=(SnapshotPin&& o) noexcept;
  SnapshotPin(const SnapshotPin&) = delete;
  SnapshotPin& operator=(const SnapshotPin&) = delete;
  const std::string& dir() const { return dir_; }

 private:
  friend SnapshotPin pin_model_snapshot(const Hub& hub, const std::string& dir);
  void release();
  std::string dir_, root_;
  uint64_t limit_ = 0;
};

// Pins `dir` (a snapshot directory, which need not exist yet: pin before materializing, so a
// trim cannot remove it between the build and the load) and marks it recently used.
SnapshotPin pin_model_snapshot(const Hub& hub, const std::string& dir);

struct SnapshotTrim {
  int removed = 0;          // snapshot directories deleted
  uint64_t bytes_left = 0;  // own bytes of the snapshots that remain
};
// Removes unpinned snapshots, least recently used first, until their own bytes fit `limit`.
SnapshotTrim trim_model_snapshots(const Hub& hub, uint64_t limit);
inline SnapshotTrim trim_model_snapshots(const Hub& hub) {
  return trim_model_snapshots(hub, hub.config().model_snapshot_bytes);
}

}  // namespace hub::services
