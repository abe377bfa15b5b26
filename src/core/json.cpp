#include "core/json.h"

#include <boost/json/basic_parser_impl.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace hub::json {

namespace {

// A basic_parser handler that builds values as boost::json::parse does (on a value_stack), except
// for doubles: Boost.JSON 1.81 converts decimal text to double with its own fast routine, which
// can be one ulp off (0.9976111997365609 reads as its neighbour), so a config value read and
// served back would change in its last digit. Here the number's text is converted again with
// std::from_chars, which rounds correctly; Boost's value stays only when from_chars cannot
// represent the text (overflow to infinity, which Boost also gives).
class ExactHandler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  boost::json::value_stack stack;

  using ec_t = boost::system::error_code;
  using sv = boost::json::string_view;
  bool on_document_begin(ec_t&) { return true; }
  bool on_document_end(ec_t&) { return true; }
  bool on_array_begin(ec_t&) { return true; }
  bool on_array_end(std::size_t n, ec_t&) { stack.push_array(n); return true; }
  bool on_object_begin(ec_t&) { return true; }
  bool on_object_end(std::size_t n, ec_t&) { stack.push_object(n); return true; }
  bool on_string_part(sv s, std::size_t, ec_t&) { stack.push_chars(s); return true; }
  bool on_string(sv s, std::size_t, ec_t&) { stack.push_string(s); return true; }
  bool on_key_part(sv s, std::size_t, ec_t&) { stack.push_chars(s); return true; }
  bool on_key(sv s, std::size_t, ec_t&) { stack.push_key(s); return true; }
  bool on_number_part(sv s, ec_t&) { number_.append(s.data(), s.size()); return true; }
  bool on_int64(int64_t i, sv, ec_t&) { number_.clear(); stack.push_int64(i); return true; }
  bool on_uint64(uint64_t u, sv, ec_t&) { number_.clear(); stack.push_uint64(u); return true; }
  bool on_double(double d, sv s, ec_t&) {
    number_.append(s.data(), s.size());
    double exact = 0;
    auto [end, err] = std::from_chars(number_.data(), number_.data() + number_.size(), exact);
    if (err == std::errc() && end == number_.data() + number_.size()) d = exact;
    number_.clear();
    stack.push_double(d);
    return true;
  }
  bool on_bool(bool b, ec_t&) { stack.push_bool(b); return true; }
  bool on_null(ec_t&) { stack.push_null(); return true; }
  bool on_comment_part(sv, ec_t&) { return true; }
  bool on_comment(sv, ec_t&) { return true; }

 private:
  std::string number_;  // a number's text, when it arrives in parts
};

}  // namespace

Result<value> parse(std::string_view text, unsigned max_depth) {
  boost::json::parse_options opt;
  opt.max_depth = max_depth;
  boost::json::basic_parser<ExactHandler> p(opt);
  p.handler().stack.reset();
  boost::system::error_code ec;
  size_t used = p.write_some(false, text.data(), text.size(), ec);
  if (!ec && used < text.size()) ec = boost::json::error::extra_data;
  if (ec) return fail(Errc::invalid_argument, "malformed JSON: " + ec.message());
  return p.handler().stack.release();
}

void append_number(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "NaN";
    return;
  }
  if (std::isinf(d)) {
    out += d > 0 ? "inf" : "-inf";
    return;
  }
  // Scientific form of the shortest round-trip digits: [-]d[.ddd]e±XX.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, size_t(end - buf));
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  size_t epos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, epos))
    if (c != '.') digits += c;
  int exp = std::atoi(std::string(sci.substr(epos + 1)).c_str());
  // Python (float_repr_style 'short', 'r' mode): decpt is where the point goes in 0.DIGITS.
  int decpt = exp + 1;
  int n = int(digits.size());
  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (n > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += 'e';
    out += exp < 0 ? '-' : '+';
    int a = std::abs(exp);
    if (a < 10) out += '0';
    out += std::to_string(a);
  } else if (decpt <= 0) {
    out += "0.";
    out.append(size_t(-decpt), '0');
    out += digits;
  } else if (decpt < n) {
    out.append(digits, 0, size_t(decpt));
    out += '.';
    out.append(digits, size_t(decpt));
  } else {
    out += digits;
    out.append(size_t(decpt - n), '0');
    out += ".0";
  }
}

std::string number_text(double d) {
  std::string out;
  append_number(out, d);
  return out;
}

namespace {

void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the pending run of bytes that need no escape
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s, run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(s, run, s.size() - run);
  out += '"';
}

}  // namespace

void serialize_to(std::string& out, const value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: out += "null"; break;
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case boost::json::kind::int64: out += std::to_string(v.get_int64()); break;
    case boost::json::kind::uint64: out += std::to_string(v.get_uint64()); break;
    case boost::json::kind::double_:
      if (std::isfinite(v.get_double())) append_number(out, v.get_double());
      else out += "null";
      break;
    case boost::json::kind::string: append_string(out, v.get_string()); break;
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        serialize_to(out, e);
      }
      out += ']';
      break;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        append_string(out, k);
        out += ':';
        serialize_to(out, e);
      }
      out += '}';
      break;
    }
  }
}

std::string serialize(const value& v) {
  std::string out;
  serialize_to(out, v);
  return out;
}

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
