#include "core/json.h"

#include <cmath>

namespace hub::json {

Result<value> parse(std::string_view text, unsigned max_depth) {
  boost::json::parse_options opt;
  opt.max_depth = max_depth;
  boost::system::error_code ec;
  value v = boost::json::parse(text, ec, {}, opt);
  if (ec) return fail(Errc::invalid_argument, "malformed JSON: " + ec.message());
  return v;
}

std::string serialize(const value& v) { return boost::json::serialize(v); }

const value* find(const object& o, std::string_view key) { return o.if_contains(key); }

std::optional<std::string_view> get_string(const object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string()) return std::nullopt;
  return std::string_view(v->get_string());
}

std::optional<int64_t> get_int(const object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= uint64_t(INT64_MAX)) return int64_t(v->get_uint64());
  if (v->is_double()) {
    // Range check first: converting an out-of-range double to int64 is undefined behaviour.
    double d = v->get_double();
    if (d >= -9.2e18 && d <= 9.2e18 && d == std::trunc(d)) return int64_t(d);
  }
  return std::nullopt;
}

std::optional<double> get_number(const object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return double(v->get_int64());
  if (v->is_uint64()) return double(v->get_uint64());
  return std::nullopt;
}

std::optional<bool> get_bool(const object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_bool()) return std::nullopt;
  return v->get_bool();
}

const object* get_object(const object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

const array* get_array(const object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v ? v->if_array() : nullptr;
}

}  // namespace hub::json
