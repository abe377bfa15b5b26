// Typed JSON access for tokenizer.json loading (see components.h, namespace load).
#include "inference/tokenizers/components.h"
#include "inference/tokenizers/unicode.h"

namespace hub::inference::tokenizers::load {

namespace {
[[noreturn]] void bad(std::string_view what, std::string_view key, std::string_view problem) {
  throw LoadError(std::string(what) + (key.empty() ? "" : ".") + std::string(key) + ": " + std::string(problem));
}
}  // namespace

const json::object& as_object(const json::value& v, std::string_view what) {
  if (!v.is_object()) bad(what, "", "expected an object");
  return v.get_object();
}

const json::value& field(const json::object& o, std::string_view key, std::string_view what) {
  auto* v = o.if_contains(key);
  if (!v) bad(what, key, "missing field");
  return *v;
}

std::string get_string(const json::object& o, std::string_view key, std::string_view what) {
  const auto& v = field(o, key, what);
  if (!v.is_string()) bad(what, key, "expected a string");
  return std::string(v.get_string());
}

std::optional<std::string> opt_string(const json::object& o, std::string_view key, std::string_view what) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) bad(what, key, "expected a string or null");
  return std::string(v->get_string());
}

bool get_bool(const json::object& o, std::string_view key, bool fallback, std::string_view what) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return fallback;
  if (!v->is_bool()) bad(what, key, "expected a boolean");
  return v->get_bool();
}

std::optional<int64_t> opt_int(const json::object& o, std::string_view key, std::string_view what) {
  auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  auto i = json::get_int(o, key);
  if (!i) bad(what, key, "expected an integer");
  return i;
}

int64_t get_int(const json::object& o, std::string_view key, std::string_view what) {
  auto i = opt_int(o, key, what);
  if (!i) bad(what, key, "missing integer");
  return *i;
}

std::string type_of(const json::object& o, std::string_view what) { return get_string(o, "type", what); }

SplitBehavior behavior(const json::object& o, std::string_view what) {
  auto b = get_string(o, "behavior", what);
  if (b == "Removed") return SplitBehavior::removed;
  if (b == "Isolated") return SplitBehavior::isolated;
  if (b == "MergedWithPrevious") return SplitBehavior::merged_with_previous;
  if (b == "MergedWithNext") return SplitBehavior::merged_with_next;
  if (b == "Contiguous") return SplitBehavior::contiguous;
  bad(what, "behavior", "unknown value '" + b + "'");
}

Regex pattern(const json::object& o, std::string_view what) {
  const auto& p = as_object(field(o, "pattern", what), std::string(what) + ".pattern");
  std::string source;
  if (auto* s = p.if_contains("String")) {
    if (!s->is_string()) bad(what, "pattern.String", "expected a string");
    source = Regex::escape(std::string_view(s->get_string()));
  } else if (auto* r = p.if_contains("Regex")) {
    if (!r->is_string()) bad(what, "pattern.Regex", "expected a string");
    source = std::string(r->get_string());
  } else {
    bad(what, "pattern", "expected {\"String\": ...} or {\"Regex\": ...}");
  }
  auto re = Regex::compile(source);
  if (!re) bad(what, "pattern", re.error().message);
  return std::move(*re);
}

char32_t single_char(const std::string& s, std::string_view what) {
  if (s.empty() || !unicode::is_valid_utf8(s)) throw LoadError(std::string(what) + ": expected one character");
  size_t i = 0;
  char32_t c = unicode::next_char(s, i);
  if (i != s.size()) throw LoadError(std::string(what) + ": expected one character");
  return c;
}

}  // namespace hub::inference::tokenizers::load
