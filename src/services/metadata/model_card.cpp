#include "services/metadata/model_card.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <exception>

namespace hub::services::metadata {
namespace {

void add_error(std::vector<std::string>& errors, const CardLimits& limits, std::string message) {
  if (errors.size() < limits.max_errors) errors.push_back(std::move(message));
}

// Keeps error messages short and valid UTF-8 whatever the key looked like.
std::string short_text(std::string_view s, std::size_t max = 64) {
  if (s.size() > max) return sanitize_utf8(s.substr(0, max)) + "...";
  return sanitize_utf8(s);
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// The line starting at `pos`: its text without the line break, and where the next line starts.
std::string_view line_at(std::string_view text, std::size_t pos, std::size_t* next) {
  std::size_t end = text.find('\n', pos);
  if (end == std::string_view::npos) end = text.size();
  *next = end < text.size() ? end + 1 : end;
  std::string_view line = text.substr(pos, end - pos);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool is_delimiter(std::string_view line) {
  if (line.substr(0, 3) != "---") return false;
  for (char c : line.substr(3))
    if (!is_space(c)) return false;
  return true;
}

// A cheap upper bound on how deeply yaml-cpp would recurse: indentation plus block-sequence
// markers on each line, plus open flow brackets (quotes and comments skipped). It overestimates,
// which only matters for pathological cards; it keeps yaml-cpp's recursive descent shallow.
std::size_t estimate_depth(std::string_view yaml) {
  std::size_t flow = 0, deepest = 0, pos = 0;
  while (pos < yaml.size()) {
    std::size_t next = 0;
    std::string_view line = line_at(yaml, pos, &next);
    std::size_t i = 0;
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t block = i;
    while (i < line.size() && (line[i] == '-' || line[i] == '?' || line[i] == ':') &&
           (i + 1 == line.size() || is_space(line[i + 1]))) {
      ++block;
      i += 1;
      while (i < line.size() && is_space(line[i])) ++i;
    }
    char quote = 0;
    for (; i < line.size(); ++i) {
      char c = line[i];
      if (quote) {
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '"' || c == '\'') quote = c;
      else if (c == '#' && (i == 0 || is_space(line[i - 1]))) break;
      else if (c == '[' || c == '{') deepest = std::max(deepest, block + ++flow);
      else if ((c == ']' || c == '}') && flow > 0) --flow;
    }
    deepest = std::max(deepest, block + flow);
    pos = next;
  }
  return deepest;
}

bool parse_int(std::string_view s, json::value& out) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    if (negative) return false;
    base = s[1] == 'x' ? 16 : 8;
    s.remove_prefix(2);
  }
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = base == 16 ? std::isxdigit(static_cast<unsigned char>(c)) != 0
                         : (c >= '0' && c < char('0' + base));
    if (!ok) return false;
  }
  uint64_t u = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), u, base);
  if (ec == std::errc() && p == s.data() + s.size()) {
    if (!negative) {
      if (u <= uint64_t(INT64_MAX)) out = int64_t(u);
      else out = u;
      return true;
    }
    if (u <= uint64_t(INT64_MAX) + 1) {
      out = u == uint64_t(INT64_MAX) + 1 ? INT64_MIN : -int64_t(u);
      return true;
    }
  }
  // Too large for 64 bits: a double, as YAML loaders in other languages do.
  double d = 0;
  auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (base != 10 || ec2 != std::errc() || !std::isfinite(d)) return false;
  out = negative ? -d : d;
  return true;
}

// YAML 1.2 core schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool parse_float(std::string_view s, json::value& out) {
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  std::size_t i = 0, digits = 0;
  while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i]))) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (i != body.size()) return false;
  double d = 0;
  auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), d);
  if (ec != std::errc() || p != body.data() + body.size() || !std::isfinite(d)) return false;
  out = s[0] == '-' ? -d : d;
  return true;
}

bool parse_bool(std::string_view s, json::value& out) {
  if (s == "true" || s == "True" || s == "TRUE") return out = true, true;
  if (s == "false" || s == "False" || s == "FALSE") return out = false, true;
  return false;
}

// Plain scalars are typed by the YAML 1.2 core schema (so `no` stays the Norwegian language
// code, not false); quoted scalars and unknown tags stay strings.
json::value resolve_scalar(const std::string& text, const std::string& tag) {
  json::value out;
  constexpr std::string_view core = "tag:yaml.org,2002:";
  bool plain = tag == "?";
  auto tagged = [&](std::string_view name) { return tag.size() == core.size() + name.size() &&
                                                    tag.compare(0, core.size(), core) == 0 &&
                                                    tag.compare(core.size(), name.size(), name) == 0; };
  if (plain || tagged("bool"))
    if (parse_bool(text, out)) return out;
  if (plain || tagged("int"))
    if (parse_int(text, out)) return out;
  if (plain || tagged("float"))
    if (parse_float(text, out)) return out;
  if (tagged("null")) return nullptr;
  return json::value(sanitize_utf8(text));
}

class Converter {
 public:
  Converter(const CardLimits& limits, std::vector<std::string>& errors)
      : limits_(limits), errors_(errors) {}

  // False (with `why`) when the value cannot be converted within the limits.
  bool convert(const YAML::Node& node, std::size_t depth, json::value& out, std::string& why) {
    if (++nodes_ > limits_.max_nodes) {
      why = "more than " + std::to_string(limits_.max_nodes) + " YAML values (alias expansion?)";
      return false;
    }
    if (depth > limits_.max_depth) {
      why = "nested deeper than " + std::to_string(limits_.max_depth) + " levels";
      return false;
    }
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out = nullptr;
        return true;
      case YAML::NodeType::Scalar:
        if (!spend(node.Scalar().size(), why)) return false;
        out = resolve_scalar(node.Scalar(), node.Tag());
        return true;
      case YAML::NodeType::Sequence: {
        json::array arr;
        for (const auto& child : node) {
          json::value v;
          if (!convert(child, depth + 1, v, why)) return false;
          arr.push_back(std::move(v));
        }
        out = std::move(arr);
        return true;
      }
      case YAML::NodeType::Map: {
        json::object obj;
        for (auto it = node.begin(); it != node.end(); ++it) {
          std::string key;
          if (!key_of(it->first, key)) continue;
          if (!spend(key.size(), why)) return false;
          json::value v;
          if (!convert(it->second, depth + 1, v, why)) return false;
          obj[key] = std::move(v);
        }
        out = std::move(obj);
        return true;
      }
    }
    out = nullptr;
    return true;
  }

  // Mapping keys become JSON object keys; a collection used as a key is skipped and reported.
  bool key_of(const YAML::Node& key, std::string& out) {
    if (key.IsScalar()) {
      out = sanitize_utf8(key.Scalar());
      return true;
    }
    if (key.IsNull()) {
      out = "null";
      return true;
    }
    add_error(errors_, limits_, "mapping key that is not a scalar was ignored");
    return false;
  }

 private:
  bool spend(std::size_t bytes, std::string& why) {
    bytes_ += bytes;
    if (bytes_ <= limits_.max_output_bytes) return true;
    why = "expands past " + std::to_string(limits_.max_output_bytes) + " bytes (alias expansion?)";
    return false;
  }

  const CardLimits& limits_;
  std::vector<std::string>& errors_;
  std::size_t nodes_ = 0;
  std::size_t bytes_ = 0;
};

}  // namespace

std::string sanitize_utf8(std::string_view s, bool* replaced) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  bool any = false;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    uint32_t min = 0, cp = 0;
    if (c < 0x80) len = 1, cp = c;
    else if ((c & 0xE0) == 0xC0) len = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) len = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) len = 4, cp = c & 0x07, min = 0x10000;
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      else cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && len > 1 && (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) ok = false;
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      any = true;
      ++i;
    }
  }
  if (replaced) *replaced = any;
  return out;
}

FrontMatterSplit split_front_matter(std::string_view text) {
  FrontMatterSplit r;
  r.body = text;
  std::size_t pos = 0;
  // Blank lines may precede the opening delimiter (huggingface_hub accepts leading whitespace).
  for (;;) {
    std::size_t next = 0;
    std::string_view line = line_at(text, pos, &next);
    bool blank = true;
    for (char c : line)
      if (!is_space(c)) blank = false;
    if (!blank || next == pos || next >= text.size()) break;
    pos = next;
  }
  std::size_t next = 0;
  if (!is_delimiter(line_at(text, pos, &next))) return r;
  std::size_t yaml_begin = next;
  for (std::size_t at = next; at < text.size();) {
    std::size_t after = 0;
    std::string_view line = line_at(text, at, &after);
    if (is_delimiter(line)) {
      r.found = true;
      r.yaml = text.substr(yaml_begin, at - yaml_begin);
      r.body = text.substr(after);
      return r;
    }
    at = after;
  }
  r.unterminated = true;
  return r;
}

Result<json::value> yaml_to_json(std::string_view yaml, const CardLimits& limits,
                                 std::vector<std::string>& errors) {
  if (yaml.size() > limits.max_yaml_bytes)
    return fail(Errc::too_large, "front matter is " + std::to_string(yaml.size()) +
                                     " bytes, more than " + std::to_string(limits.max_yaml_bytes));
  if (estimate_depth(yaml) > limits.max_scan_depth)
    return fail(Errc::too_large,
                "front matter nests deeper than " + std::to_string(limits.max_scan_depth) + " levels");
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return fail(Errc::invalid_argument, "YAML: " + short_text(e.what(), 200));
  } catch (const std::exception& e) {
    return fail(Errc::invalid_argument, "YAML: " + short_text(e.what(), 200));
  }
  Converter converter(limits, errors);
  try {
    if (!root.IsMap()) {
      json::value v;
      std::string why;
      if (!converter.convert(root, 0, v, why)) return fail(Errc::too_large, why);
      return v;
    }
    // Top level key by key, so one bad field does not lose the others. The node budget is
    // shared, so many keys aliasing one huge anchor still cost at most max_nodes in total.
    json::object obj;
    for (auto it = root.begin(); it != root.end(); ++it) {
      std::string key;
      if (!converter.key_of(it->first, key)) continue;
      json::value v;
      std::string why;
      if (converter.convert(it->second, 1, v, why)) obj[key] = std::move(v);
      else add_error(errors, limits, "cardData." + short_text(key) + " dropped: " + why);
    }
    return json::value(std::move(obj));
  } catch (const std::exception& e) {
    return fail(Errc::invalid_argument, "YAML: " + short_text(e.what(), 200));
  }
}

ModelCard parse_model_card(std::string_view readme, const CardLimits& limits) {
  ModelCard card;
  bool replaced = false;
  std::string text = sanitize_utf8(readme, &replaced);
  if (replaced) add_error(card.errors, limits, "README.md is not valid UTF-8; bad bytes replaced");
  std::string_view view = text;
  if (view.substr(0, 3) == "\xEF\xBB\xBF") view.remove_prefix(3);
  FrontMatterSplit split = split_front_matter(view);
  card.body = std::string(split.body);
  if (split.unterminated)
    add_error(card.errors, limits, "front matter opened with --- but never closed; ignored");
  if (!split.found) return card;
  card.has_front_matter = true;
  auto value = yaml_to_json(split.yaml, limits, card.errors);
  if (!value) {
    add_error(card.errors, limits, value.error().message);
    return card;
  }
  if (auto* obj = value->if_object()) card.data = std::move(*obj);
  else if (!value->is_null())
    add_error(card.errors, limits, "front matter is not a YAML mapping; ignored");
  return card;
}

}  // namespace hub::services::metadata
