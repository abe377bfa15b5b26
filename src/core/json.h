// JSON: Boost.JSON values, with small typed accessors that return Result instead of throwing,
// for untrusted documents (request bodies, config.json, tokenizer.json), and our own writer.
// Why our own writer: Boost.JSON 1.81 writes doubles as `9.97611199736561E-1`; clients and
// people expect what Python's json.dumps writes (repr(float): shortest round-trip digits,
// `0.9976111997365609`, `1e-05`, `1.0`), which is also how config.json files are written, so a
// config served back reads as it was pushed. Pure functions; thread-safe.
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

// Compact JSON text of v. Strings are escaped as Boost.JSON does (", \\, control characters;
// UTF-8 passes through). int64/uint64 stay integers; doubles are written as Python's repr
// (number_text); NaN and infinities, which JSON cannot hold, are written as null (as the Hub's
// JavaScript JSON.stringify does).
std::string serialize(const value& v);
void serialize_to(std::string& out, const value& v);

// Python's repr(float) of a finite double: the shortest digits that parse back to the same
// double; fixed notation for 1e-4 <= |d| < 1e16 (with ".0" when integral), else d.ddde±XX with
// at least two exponent digits. -0.0 is "-0.0". Non-finite values give "NaN", "inf", "-inf"
// (Python's spelling; not JSON, callers decide).
std::string number_text(double d);
void append_number(std::string& out, double d);

// Accessors that never throw: nullopt when missing or of the wrong type.
const value* find(const object& o, std::string_view key);
std::optional<std::string_view> get_string(const object& o, std::string_view key);
std::optional<int64_t> get_int(const object& o, std::string_view key);
std::optional<double> get_number(const object& o, std::string_view key);
std::optional<bool> get_bool(const object& o, std::string_view key);
const object* get_object(const object& o, std::string_view key);
const array* get_array(const object& o, std::string_view key);

}  // namespace hub::json
