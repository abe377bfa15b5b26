// JSON: Boost.JSON, with small typed accessors that return Result instead of throwing,
// for untrusted documents (request bodies, config.json, tokenizer.json).
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hub::json {

using boost::json::array;
using boost::json::object;
using boost::json::value;

// Parses with a depth limit (default 64) so a deeply nested document is an error, not a
// stack overflow.
Result<value> parse(std::string_view text, unsigned max_depth = 64);

std::string serialize(const value& v);

// Accessors that never throw: nullopt when missing or of the wrong type.
const value* find(const object& o, std::string_view key);
std::optional<std::string_view> get_string(const object& o, std::string_view key);
std::optional<int64_t> get_int(const object& o, std::string_view key);
std::optional<double> get_number(const object& o, std::string_view key);
std::optional<bool> get_bool(const object& o, std::string_view key);
const object* get_object(const object& o, std::string_view key);
const array* get_array(const object& o, std::string_view key);

}  // namespace hub::json
