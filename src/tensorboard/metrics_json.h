// The JSON body of GET /api/{type}s/{id}/metrics/{rev}: every run's scalar series, optionally
// downsampled with LTTB, plus the reader's warnings. Shape (documented in README.md):
//   {"runs":[{"name":"runs/exp1","tags":[{"tag":"loss","plugin":"scalars","total_points":N,
//     "points":[[step,wall_time,value],...]}]}],
//    "warnings":[{"file":"...","offset":0,"record":0,"reason":"..."}],"warnings_dropped":0}
// Numbers are written in shortest round-trip form, so values read back bit-exact; NaN and
// infinities (not JSON numbers) are the strings "NaN", "Infinity", "-Infinity". Strings that
// are not valid UTF-8 have each bad byte replaced by U+FFFD. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>

#include "tensorboard/scalars.h"

namespace hub::tensorboard {

struct MetricsJsonOptions {
  size_t max_points = 0;  // per series; 0 = all points
};

std::string metrics_json(const ScalarData& data, const MetricsJsonOptions& options = {});

// Convenience for the route: is_event_file filter, load_scalars, metrics_json.
std::string metrics_json(std::span<const EventFile> files, const MetricsJsonOptions& options = {});

}  // namespace hub::tensorboard
