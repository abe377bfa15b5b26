#include "tensorboard/scalars.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "tensorboard/event.h"
#include "tensorboard/record_reader.h"

namespace hub::tensorboard {
namespace {

constexpr std::string_view kScalarsPlugin = "scalars";

struct TagState {
  std::string plugin_name;
  bool plugin_known = false;  // some value for this tag carried metadata
  std::vector<ScalarPoint> points;
};

struct RunState {
  // std::map keeps tags sorted for the output; lookups by string_view avoid a copy per value.
  std::map<std::string, TagState, std::less<>> tags;
};

// Whether a tensor value counts as a scalar. TF2 writers put plugin metadata only on the
// first value of each tag in a file, so a tag's plugin is remembered across its run.
bool tensor_is_scalar_series(const TagState& tag) {
  return !tag.plugin_known || tag.plugin_name.empty() || tag.plugin_name == kScalarsPlugin;
}

void read_file(const EventFile& file, RunState& run, ScalarData& out) {
  RecordReader reader(file.bytes);
  const size_t first_warning = out.warnings.size();
  uint64_t bad_events = 0;
  while (auto rec = reader.next()) {
    ++out.records;
    auto ev = decode_event(rec->data);
    if (!ev) {
      // Same per-file cap as the framing issues, so a hostile file's warnings stay small.
      if (bad_events++ < RecordReader::kMaxIssues)
        out.warnings.push_back({file.path, rec->offset, rec->index, ev.error().message});
      else
        ++out.warnings_dropped;
      continue;
    }
    for (const SummaryValue& v : ev->values) {
      if (v.kind == ValueKind::other) continue;
      auto it = run.tags.find(v.tag);
      if (it == run.tags.end()) it = run.tags.emplace(std::string(v.tag), TagState{}).first;
      TagState& tag = it->second;
      if (v.has_metadata && !v.plugin_name.empty()) {
        tag.plugin_name = std::string(v.plugin_name);
        tag.plugin_known = true;
      }
      if (!v.scalar) continue;
      if (v.kind == ValueKind::tensor && !tensor_is_scalar_series(tag)) continue;
      tag.points.push_back({ev->step, ev->wall_time, *v.scalar});
    }
  }
  for (const RecordIssue& issue : reader.issues())
    out.warnings.push_back({file.path, issue.offset, issue.record_index, issue.reason});
  out.warnings_dropped += reader.issues_dropped();
  std::stable_sort(out.warnings.begin() + static_cast<std::ptrdiff_t>(first_warning),
                   out.warnings.end(),
                   [](const Warning& a, const Warning& b) { return a.offset < b.offset; });
}

}  // namespace

const ScalarSeries* Run::find(std::string_view tag) const {
  for (const auto& s : tags)
    if (s.tag == tag) return &s;
  return nullptr;
}

const Run* ScalarData::find(std::string_view run) const {
  for (const auto& r : runs)
    if (r.name == run) return &r;
  return nullptr;
}

bool is_event_file(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return base.find("tfevents") != std::string_view::npos;
}

std::string run_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return ".";
  return std::string(path.substr(0, slash));
}

ScalarData load_scalars(std::span<const EventFile> files) {
  // Path order within a run: event file names start "events.out.tfevents.<unix time>", so a
  // restarted job's files are read oldest first.
  std::vector<const EventFile*> order;
  order.reserve(files.size());
  for (const auto& f : files) order.push_back(&f);
  std::stable_sort(order.begin(), order.end(),
                   [](const EventFile* a, const EventFile* b) { return a->path < b->path; });

  ScalarData out;
  std::map<std::string, RunState> runs;
  for (const EventFile* f : order) read_file(*f, runs[run_name(f->path)], out);

  for (auto& [name, state] : runs) {
    Run run{name, {}};
    for (auto& [tag, ts] : state.tags) {
      // A tag whose values were all non-scalar (e.g. a text or histogram tensor) is omitted.
      if (ts.points.empty()) continue;
      if (ts.plugin_known && !ts.plugin_name.empty() && ts.plugin_name != kScalarsPlugin) continue;
      out.scalars += ts.points.size();
      run.tags.push_back({tag, ts.plugin_name, std::move(ts.points)});
    }
    if (!run.tags.empty()) out.runs.push_back(std::move(run));
  }
  return out;
}

}  // namespace hub::tensorboard
