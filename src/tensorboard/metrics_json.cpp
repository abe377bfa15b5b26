#include "tensorboard/metrics_json.h"

#include <charconv>
#include <cmath>
#include <vector>

#include "core/json.h"
#include "tensorboard/lttb.h"

namespace hub::tensorboard {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if the bytes there are not one.
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t len;
  unsigned char lo = 0x80, hi = 0xbf;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) len = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    if (b0 == 0xe0) lo = 0xa0;   // no overlong forms
    if (b0 == 0xed) hi = 0x9f;   // no surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    if (b0 == 0xf0) lo = 0x90;
    if (b0 == 0xf4) hi = 0x8f;   // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf)) return 0;
  }
  return len;
}

void put_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
      ++i;
    } else if (const size_t len = utf8_sequence(s, i); len > 0) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xef\xbf\xbd";  // U+FFFD for each byte that does not start valid UTF-8
      ++i;
    }
  }
  out += '"';
}

template <class T>
void put_number(std::string& out, T v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void put_double(std::string& out, double v) {
  if (std::isnan(v)) out += "\"NaN\"";
  else if (std::isinf(v)) out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  else json::append_number(out, v);  // Python's repr, as every JSON number we write (core/json.h)
}

void put_points(std::string& out, std::span<const ScalarPoint> pts) {
  out += '[';
  for (size_t i = 0; i < pts.size(); ++i) {
    if (i) out += ',';
    out += '[';
    put_number(out, pts[i].step);
    out += ',';
    put_double(out, pts[i].wall_time);
    out += ',';
    put_double(out, pts[i].value);
    out += ']';
  }
  out += ']';
}

}  // namespace

std::string metrics_json(const ScalarData& data, const MetricsJsonOptions& options) {
  std::string out;
  // About 40 bytes per point; one reservation avoids regrowth on big logs.
  out.reserve(64 + 40 * static_cast<size_t>(data.scalars));
  out += "{\"runs\":[";
  for (size_t r = 0; r < data.runs.size(); ++r) {
    const Run& run = data.runs[r];
    if (r) out += ',';
    out += "{\"name\":";
    put_string(out, run.name);
    out += ",\"tags\":[";
    for (size_t t = 0; t < run.tags.size(); ++t) {
      const ScalarSeries& s = run.tags[t];
      if (t) out += ',';
      out += "{\"tag\":";
      put_string(out, s.tag);
      out += ",\"plugin\":";
      put_string(out, s.plugin_name);
      out += ",\"total_points\":";
      put_number(out, s.points.size());
      out += ",\"points\":";
      if (options.max_points != 0 && s.points.size() > options.max_points)
        put_points(out, lttb(s.points, options.max_points));
      else
        put_points(out, s.points);
      out += '}';
    }
    out += "]}";
  }
  out += "],\"warnings\":[";
  for (size_t w = 0; w < data.warnings.size(); ++w) {
    const Warning& warn = data.warnings[w];
    if (w) out += ',';
    out += "{\"file\":";
    put_string(out, warn.file);
    out += ",\"offset\":";
    put_number(out, warn.offset);
    out += ",\"record\":";
    put_number(out, warn.record);
    out += ",\"reason\":";
    put_string(out, warn.reason);
    out += '}';
  }
  out += "],\"warnings_dropped\":";
  put_number(out, data.warnings_dropped);
  out += '}';
  return out;
}

std::string metrics_json(std::span<const EventFile> files, const MetricsJsonOptions& options) {
  std::vector<EventFile> events;
  for (const auto& f : files)
    if (is_event_file(f.path)) events.push_back(f);
  return metrics_json(load_scalars(events), options);
}

}  // namespace hub::tensorboard
