// Logging: one line per event on stderr, "ts level msg key=value ...".
// Thread-safe (a single write(2) per line). The access log uses log_event with fields.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace hub::log {

enum class Level { debug, info, warn, error };

void set_level(Level l);
Level level();

void write(Level l, std::string_view msg,
           std::initializer_list<std::pair<std::string_view, std::string_view>> fields = {});

inline void info(std::string_view msg,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> f = {}) {
  write(Level::info, msg, f);
}
inline void warn(std::string_view msg,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> f = {}) {
  write(Level::warn, msg, f);
}
inline void error(std::string_view msg,
                  std::initializer_list<std::pair<std::string_view, std::string_view>> f = {}) {
  write(Level::error, msg, f);
}
inline void debug(std::string_view msg,
                  std::initializer_list<std::pair<std::string_view, std::string_view>> f = {}) {
  if (level() <= Level::debug) write(Level::debug, msg, f);
}

}  // namespace hub::log
