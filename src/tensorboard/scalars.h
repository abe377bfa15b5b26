// The scalar model of a repository's TensorBoard logs: runs, tags and (step, wall_time,
// value) series, read from a set of in-memory event files (path -> bytes, e.g. blobs from git
// or the LFS store). Runs are the folder holding each event file ("." for the root); several
// files in one folder (a restarted job) form one run, read in path order; points stay in the
// order written, duplicates and steps going backwards included (see README.md).
// Plain values; load_scalars is a pure function, safe to call from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hub::tensorboard {

struct EventFile {
  std::string path;                  // repository-relative, '/'-separated
  std::span<const std::byte> bytes;  // borrowed for the duration of the call
};

struct ScalarPoint {
  int64_t step = 0;
  double wall_time = 0;
  double value = 0;  // float32 sources are widened exactly
  bool operator==(const ScalarPoint&) const = default;
};

struct ScalarSeries {
  std::string tag;
  std::string plugin_name;  // "scalars", or empty for a plain simple_value without metadata
  std::vector<ScalarPoint> points;
};

struct Run {
  std::string name;                 // folder of the event files, e.g. "runs/exp1"; "." at root
  std::vector<ScalarSeries> tags;   // sorted by tag
  const ScalarSeries* find(std::string_view tag) const;
};

struct Warning {
  std::string file;
  uint64_t offset = 0;       // byte offset of the damaged record
  uint64_t record = 0;       // its index among the file's records
  std::string reason;
};

struct ScalarData {
  std::vector<Run> runs;     // sorted by name
  std::vector<Warning> warnings;
  uint64_t warnings_dropped = 0;  // beyond the per-file cap
  uint64_t records = 0;           // records whose CRCs verified
  uint64_t scalars = 0;           // points returned
  const Run* find(std::string_view run) const;
};

// True for TensorBoard event file names: the base name contains "tfevents".
bool is_event_file(std::string_view path);

// The run an event file belongs to: its folder, or "." for a file at the root.
std::string run_name(std::string_view path);

// Reads every scalar from the files (non-event names included: the caller filters with
// is_event_file). Damage never fails the call: it becomes warnings and good records are kept.
ScalarData load_scalars(std::span<const EventFile> files);

}  // namespace hub::tensorboard
