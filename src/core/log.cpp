#include "core/log.h"

#include <unistd.h>

#include <atomic>

#include "core/time.h"

namespace hub::log {
namespace {
std::atomic<Level> g_level{Level::info};

const char* name(Level l) {
  switch (l) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "info";
}

// Values with spaces or quotes are quoted so that each line stays machine-parseable.
void append_value(std::string& out, std::string_view v) {
  bool plain = !v.empty();
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || static_cast<unsigned char>(c) < 0x20) plain = false;
  if (plain) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  out += '"';
}
}  // namespace

void set_level(Level l) { g_level = l; }
Level level() { return g_level; }

void write(Level l, std::string_view msg,
           std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  if (l < g_level.load()) return;
  std::string line;
  line.reserve(128);
  line += iso8601_now();
  line += ' ';
  line += name(l);
  line += ' ';
  line += msg;
  for (auto& [k, v] : fields) {
    line += ' ';
    line += k;
    line += '=';
    append_value(line, v);
  }
  line += '\n';
  // One write per line: lines from several threads never interleave.
  ssize_t rc = ::write(2, line.data(), line.size());
  (void)rc;
}

}  // namespace hub::log
