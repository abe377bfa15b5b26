#include "inference/chat/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/encode.h"
#include "inference/chat/interp.h"

namespace hub::inference::chat {

Value Value::string(std::string v) {
  if (tl_string_budget) tl_string_budget->add(v.size());
  Value x{Kind::string};
  x.s = std::make_shared<const std::string>(std::move(v));
  return x;
}
Value Value::new_list(List items) {
  Value x{Kind::list};
  x.list = std::make_shared<List>(std::move(items));
  return x;
}
Value Value::new_dict() {
  Value x{Kind::dict};
  x.dict = std::make_shared<Dict>();
  return x;
}
Value Value::new_ns() {
  Value x{Kind::ns};
  x.dict = std::make_shared<Dict>();
  return x;
}

const Value* Dict::find(std::string_view key) const {
  for (const auto& [k, v] : items)
    if (k == key) return &v;
  return nullptr;
}

void Dict::set(std::string key, Value v) {
  for (auto& [k, old] : items)
    if (k == key) {
      old = std::move(v);
      return;
    }
  items.emplace_back(std::move(key), std::move(v));
}

const Value* CallArgs::kwarg(std::string_view name) const {
  for (const auto& [k, v] : kw)
    if (k == name) return &v;
  return nullptr;
}

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::undefined: return "UndefinedValue";
    case Kind::none: return "NullValue";
    case Kind::boolean: return "BooleanValue";
    case Kind::integer: return "IntegerValue";
    case Kind::floating: return "FloatValue";
    case Kind::string: return "StringValue";
    case Kind::list: return "ArrayValue";
    case Kind::dict: return "ObjectValue";
    case Kind::ns: return "NamespaceValue";
    case Kind::function: return "FunctionValue";
  }
  return "?";
}

const char* type_name(const Value& v) { return v.tuple ? "TupleValue" : kind_name(v.kind); }

bool truthy(const Value& v) {
  switch (v.kind) {
    case Kind::undefined:
    case Kind::none: return false;
    case Kind::boolean: return v.b;
    case Kind::integer: return v.i != 0;
    case Kind::floating: return v.f != 0 && !std::isnan(v.f);
    case Kind::string: return !v.s->empty();
    case Kind::list: return !v.list->empty();
    case Kind::dict: return !v.dict->items.empty();
    case Kind::ns:
    case Kind::function: return true;
  }
  return false;
}

bool strict_equal(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return a.number() == b.number();
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::undefined:
    case Kind::none: return true;
    case Kind::boolean: return a.b == b.b;
    case Kind::string: return *a.s == *b.s;
    case Kind::list: return a.list == b.list;
    case Kind::dict:
    case Kind::ns: return a.dict == b.dict;
    case Kind::function: return a.fn == b.fn;
    default: return false;
  }
}

// JavaScript's ToNumber on a string: surrounding whitespace ignored, "" is 0, else a
// decimal literal or NaN.
static double js_to_number(std::string_view s) {
  std::string t = js_trim(s, true, true);
  if (t.empty()) return 0;
  double out = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nan("");
  return out;
}

bool loose_equal(const Value& a, const Value& b) {
  auto nullish = [](const Value& v) { return v.kind == Kind::none || v.kind == Kind::undefined; };
  if (nullish(a) || nullish(b)) return nullish(a) && nullish(b);
  auto numeric = [](const Value& v) { return v.is_number() || v.kind == Kind::boolean; };
  if (numeric(a) && numeric(b)) return a.number() == b.number();
  if (a.is_string() && b.is_string()) return *a.s == *b.s;
  if (a.is_string() && numeric(b)) return js_to_number(*a.s) == b.number();
  if (b.is_string() && numeric(a)) return js_to_number(*b.s) == a.number();
  // JavaScript converts a container compared with a primitive to its string form
  // ([] == false, [1] == '1'); the reference inherits that.
  auto container = [](const Value& v) { return v.kind == Kind::list || v.kind == Kind::dict || v.kind == Kind::ns; };
  if (container(a) && !container(b) && b.kind != Kind::function) return loose_equal(Value::string(concat_text(a)), b);
  if (container(b) && !container(a) && a.kind != Kind::function) return loose_equal(a, Value::string(concat_text(b)));
  return strict_equal(a, b);
}

std::string js_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return "0";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, end);  // -d.ddde+XX, shortest round-trip digits
  std::string out;
  if (sci[0] == '-') {
    out = "-";
    sci.erase(0, 1);
  }
  size_t epos = sci.find('e');
  std::string digits = sci.substr(0, epos);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int exp = std::stoi(sci.substr(epos + 1));
  int k = int(digits.size()), n = exp + 1;
  if (k <= n && n <= 21) {
    out += digits + std::string(size_t(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, size_t(n)) + "." + digits.substr(size_t(n));
  } else if (-6 < n && n <= 0) {
    out += "0." + std::string(size_t(-n), '0') + digits;
  } else {
    out += digits.substr(0, 1);
    if (k > 1) out += "." + digits.substr(1);
    out += (n - 1 >= 0 ? "e+" : "e-") + std::to_string(std::abs(n - 1));
  }
  return out;
}

static std::string float_text(double v) {
  if (v == 0 && std::signbit(v)) return "-0.0";
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e21) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
  }
  return js_number(v);
}

std::string to_output(const Value& v) {
  switch (v.kind) {
    case Kind::undefined:
    case Kind::none: return {};
    case Kind::boolean: return v.b ? "true" : "false";
    case Kind::integer: return std::to_string(v.i);
    case Kind::floating: return float_text(v.f);
    case Kind::string: return *v.s;
    case Kind::list:
    case Kind::dict:
    case Kind::ns: return to_json(v, {}, false);
    case Kind::function: return "function " + v.fn->name + "() { [native code] }";
  }
  return {};
}

static void json_string(std::string& out, std::string_view s, bool ascii) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    char buf[16];
    if (c < 0x20 || (ascii && c == 0x7f)) {
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else if (ascii && c >= 0x80) {
      // Decode one UTF-8 sequence; escape it as UTF-16 code units like JSON + makeAsciiSafe.
      uint32_t cp = c;
      size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      if (len > 1 && i + len <= s.size()) {
        cp = c & (0x3F >> (len - 1));
        for (size_t j = 1; j < len; ++j) cp = (cp << 6) | (static_cast<unsigned char>(s[i + j]) & 0x3F);
        i += len - 1;
      }
      if (cp > 0xFFFF) {
        cp -= 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      }
      out += buf;
    } else {
      out += char(c);
    }
  }
  out += '"';
}

// Approximates String.prototype.localeCompare for keys: case-insensitive first, then
// lower case before upper case.
static bool locale_less(const std::string& a, const std::string& b) {
  auto lower = [](std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::string la = lower(a), lb = lower(b);
  if (la != lb) return la < lb;
  return a > b;
}

static void json_into(std::string& out, const Value& v, const JsonOptions& o, int depth, bool undef_null) {
  std::string item_sep = o.custom_separators ? o.item_sep : o.indent > 0 ? "," : ", ";
  std::string key_sep = o.custom_separators ? o.key_sep : ": ";
  switch (v.kind) {
    case Kind::none: out += "null"; return;
    case Kind::undefined: out += undef_null ? "null" : "undefined"; return;
    case Kind::boolean: out += v.b ? "true" : "false"; return;
    case Kind::integer: out += std::to_string(v.i); return;
    case Kind::floating: out += std::isfinite(v.f) ? js_number(v.f) : "null"; return;
    case Kind::string: json_string(out, *v.s, o.ensure_ascii); return;
    case Kind::function: throw RenderError("Cannot convert to JSON: FunctionValue");
    default: break;
  }
  if (depth > kMaxJsonDepth) throw RenderError("tojson: value nested too deeply");
  if (tl_string_budget) tl_string_budget->check(out.size());
  std::string indent(size_t(std::max(o.indent, 0)), ' ');
  std::string base = "\n";
  for (int d = 0; d < depth; ++d) base += indent;
  std::string child = base + indent;
  bool pretty = o.indent > 0;
  if (v.kind == Kind::list) {
    if (v.tuple) throw RenderError("Cannot convert to JSON: TupleValue");
    out += '[';
    bool first = true;
    for (const Value& x : *v.list) {
      if (!first) out += item_sep;
      if (pretty) out += child;
      first = false;
      json_into(out, x, o, depth + 1, undef_null);
      if (tl_string_budget) tl_string_budget->check(out.size());
    }
    if (pretty && !v.list->empty()) out += base;
    out += ']';
    return;
  }
  std::vector<const std::pair<std::string, Value>*> entries;
  for (const auto& e : v.dict->items) entries.push_back(&e);
  if (o.sort_keys)
    std::stable_sort(entries.begin(), entries.end(),
                     [](auto* a, auto* b) { return locale_less(a->first, b->first); });
  out += '{';
  bool first = true;
  for (const auto* e : entries) {
    if (!first) out += item_sep;
    if (pretty) out += child;
    first = false;
    json_string(out, e->first, o.ensure_ascii);
    out += key_sep;
    json_into(out, e->second, o, depth + 1, undef_null);
    if (tl_string_budget) tl_string_budget->check(out.size());
  }
  if (pretty && !entries.empty()) out += base;
  out += '}';
}

std::string to_json(const Value& v, const JsonOptions& o, bool undefined_as_null) {
  std::string out;
  json_into(out, v, o, 0, undefined_as_null);
  return out;
}

Value from_json(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: return Value::none();
    case boost::json::kind::bool_: return Value::boolean(v.get_bool());
    case boost::json::kind::int64: return Value::integer(v.get_int64());
    case boost::json::kind::uint64:
      if (v.get_uint64() > uint64_t(INT64_MAX)) return Value::floating(double(v.get_uint64()));
      return Value::integer(int64_t(v.get_uint64()));
    case boost::json::kind::double_: return Value::floating(v.get_double());
    case boost::json::kind::string: return Value::string(std::string(v.get_string()));
    case boost::json::kind::array: {
      Value out = Value::new_list();
      out.list->reserve(v.get_array().size());
      for (const auto& x : v.get_array()) out.list->push_back(from_json(x));
      return out;
    }
    case boost::json::kind::object: {
      Value out = Value::new_dict();
      // Boost.JSON objects hold unique keys: append without the linear duplicate check.
      for (const auto& [k, x] : v.get_object()) out.dict->items.emplace_back(std::string(k), from_json(x));
      return out;
    }
  }
  return {};
}

// ---- UTF-8 helpers ----

static uint32_t decode_at(std::string_view s, size_t pos, size_t* len) {
  unsigned char c = static_cast<unsigned char>(s[pos]);
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (pos + n > s.size()) n = 1;
  uint32_t cp = n == 1 ? c : c & (0x3F >> (n - 1));
  for (size_t j = 1; j < n; ++j) cp = (cp << 6) | (static_cast<unsigned char>(s[pos + j]) & 0x3F);
  *len = n;
  return cp;
}

static bool js_space_cp(uint32_t cp) {
  if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D)) return true;
  return cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
}

size_t js_space_len(std::string_view s, size_t pos) {
  if (pos >= s.size()) return 0;
  size_t len = 1;
  uint32_t cp = decode_at(s, pos, &len);
  return js_space_cp(cp) ? len : 0;
}

size_t js_space_len_before(std::string_view s, size_t end) {
  if (end == 0) return 0;
  size_t start = end - 1;
  while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) --start;
  size_t len = js_space_len(s, start);
  return start + len == end ? len : 0;
}

std::string js_trim(std::string_view s, bool left, bool right) {
  size_t b = 0, e = s.size();
  if (left)
    while (size_t n = js_space_len(s, b)) b += n;
  if (right)
    while (e > b) {
      size_t n = js_space_len_before(s, e);
      if (!n) break;
      e -= n;
    }
  return std::string(s.substr(b, e - b));
}

size_t utf16_length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
    if (c >= 0xF0) ++n;  // astral: a surrogate pair in UTF-16
  }
  return n;
}

std::vector<std::string_view> code_points(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    size_t len = 1;
    decode_at(s, i, &len);
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

void append_utf8(std::string& out, uint32_t cp) { hub::append_utf8(out, char32_t(cp)); }

}  // namespace hub::inference::chat
