// Filters (`x | name` and `x | name(args)`), dispatched on the operand's type as
// @huggingface/jinja does, plus a few Python Jinja filters it lacks (count, d, round,
// first/last/list on strings, trim(chars)), marked below.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "inference/chat/interp.h"

namespace hub::inference::chat {
namespace {

// JavaScript parseInt(s, 10) / parseFloat(s): a leading numeric prefix, else nullopt.
std::optional<int64_t> js_parse_int(const std::string& s) {
  std::string t = js_trim(s, true, false);
  size_t i = 0;
  bool neg = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
  size_t start = i;
  int64_t v = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, t[i] - '0', &v))
      throw RenderError("int: value out of range");
    ++i;
  }
  if (i == start) return std::nullopt;
  return neg ? -v : v;
}

std::optional<double> js_parse_float(const std::string& s) {
  std::string t = js_trim(s, true, false);
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
  if (t.compare(i, 8, "Infinity") == 0) return t[0] == '-' ? -INFINITY : INFINITY;
  size_t digits = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i, ++digits;
  }
  if (!digits) return std::nullopt;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    size_t j = i + 1;
    if (j < t.size() && (t[j] == '+' || t[j] == '-')) ++j;
    if (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) {
      while (j < t.size() && std::isdigit(static_cast<unsigned char>(t[j]))) ++j;
      i = j;
    }
  }
  return std::strtod(t.substr(0, i).c_str(), nullptr);
}

// What JavaScript's Array.join prints for one element (null and undefined print empty).
std::string join_text(const Value& v) {
  if (v.is_none() || v.is_undefined()) return {};
  return concat_text(v);
}

std::string indent_text(const std::string& s, const std::string& pad, bool first, bool blank) {
  std::string out;
  size_t start = 0, line = 0;
  while (true) {
    size_t nl = s.find('\n', start);
    std::string_view part(s.data() + start, (nl == std::string::npos ? s.size() : nl) - start);
    if (!((!first && line == 0) || (!blank && part.empty()))) out += pad;
    out += part;
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
    ++line;
  }
  return out;
}

Value flag_arg(const CallArgs& a, size_t i, std::string_view name, const char* what) {
  const Value* v = arg(a, i, name);
  if (!v) return Value::boolean(false);
  if (v->kind != Kind::boolean) throw RenderError(std::string(what) + " must be a boolean");
  return *v;
}

}  // namespace

Value Interp::apply_filter(const Value& operand, const Node& f, const EnvPtr& env) {
  const std::string& name = f.str;
  const bool called = f.flag;
  if (f.ival == 1) throw RenderError("Unknown filter: MemberExpression");
  // Filters touch their whole operand (sort a bit more, unique charges as it goes).
  if (operand.kind == Kind::list) charge(operand.list->size() * (name == "sort" ? 20 : 1));
  if (operand.is_string()) charge(bytes(operand.str().size()));
  if (operand.kind == Kind::dict) charge(operand.dict->items.size() * (name == "dictsort" ? 20 : 1));
  CallArgs a = called ? eval_args(f.args, env) : CallArgs{};
  auto unknown = [&]() -> RenderError {
    return RenderError(std::string("Unknown ") + type_name(operand) + " filter: " + name);
  };

  if (name == "safe") return operand;
  if (name == "tojson") {
    JsonOptions o;
    if (const Value* ind = a.kwarg("indent"); ind && !ind->is_none()) {
      if (ind->kind != Kind::integer) throw RenderError("If set, indent must be a number");
      if (ind->i < 0 || ind->i > 64) throw RenderError("tojson: indent out of range");
      o.indent = int(ind->i);
    }
    o.ensure_ascii = flag_arg(CallArgs{{}, a.kw}, 99, "ensure_ascii", "If set, ensure_ascii").b;
    o.sort_keys = flag_arg(CallArgs{{}, a.kw}, 99, "sort_keys", "If set, sort_keys").b;
    if (const Value* sep = a.kwarg("separators"); sep && !sep->is_none()) {
      if (sep->kind != Kind::list || sep->list->size() != 2 || !(*sep->list)[0].is_string() || !(*sep->list)[1].is_string())
        throw RenderError("separators must be a tuple of two strings");
      o.custom_separators = true;
      o.item_sep = (*sep->list)[0].str();
      o.key_sep = (*sep->list)[1].str();
    }
    std::string s = to_json(operand, o);
    check_size(s.size());
    return Value::string(std::move(s));
  }
  if (name == "default" || name == "d") {  // `d`, and `default` without parentheses: Python Jinja
    Value fallback = a.pos.size() > 0 ? a.pos[0] : Value::string("");
    Value boolean = a.pos.size() > 1 ? a.pos[1] : a.kwarg("boolean") ? *a.kwarg("boolean") : Value::boolean(false);
    if (boolean.kind != Kind::boolean) throw RenderError("`default` filter flag must be a boolean");
    return operand.is_undefined() || (boolean.b && !truthy(operand)) ? fallback : operand;
  }
  if (called && (name == "int" || name == "float")) {
    Value fallback = arg(a, 0, "default") ? *arg(a, 0, "default")
                     : name == "int"       ? Value::integer(0)
                                           : Value::floating(0);
    if (operand.is_string()) {
      if (name == "int") {
        auto v = js_parse_int(operand.str());
        return v ? Value::integer(*v) : fallback;
      }
      auto v = js_parse_float(operand.str());
      return v ? Value::floating(*v) : fallback;
    }
    if (operand.is_number()) return operand;
    if (operand.kind == Kind::boolean) return name == "int" ? Value::integer(operand.b) : Value::floating(operand.b);
    throw RenderError("Cannot apply filter \"" + name + "\" to type: " + type_name(operand));
  }
  if (name == "join") {
    std::string sep;
    if (const Value* s = arg(a, 0, "separator")) {
      if (!s->is_string()) throw RenderError("separator must be a string");
      sep = s->str();
    }
    std::string out;
    auto add = [&](std::string part, bool first) {
      if (!first) out += sep;
      out += part;
      check_size(out.size());
    };
    if (operand.kind == Kind::list) {
      for (size_t i = 0; i < operand.list->size(); ++i) add(join_text((*operand.list)[i]), i == 0);
    } else if (operand.is_string()) {
      if (!called) return operand;
      auto cps = code_points(operand.str());
      for (size_t i = 0; i < cps.size(); ++i) add(std::string(cps[i]), i == 0);
    } else {
      throw RenderError("Cannot apply filter \"" + name + "\" to type: " + type_name(operand));
    }
    return Value::string(std::move(out));
  }

  if (operand.kind == Kind::list) {
    const List& l = *operand.list;
    if (name == "list") return operand;
    if (name == "first") return l.empty() ? Value{} : l.front();
    if (name == "last") return l.empty() ? Value{} : l.back();
    if (name == "length" || name == "count") return Value::integer(int64_t(l.size()));
    if (name == "reverse") return Value::new_list(List(l.rbegin(), l.rend()));
    if (name == "string") return Value::string(to_json(operand, {}, false));
    if (name == "unique") {
      List out;
      for (const Value& x : l) {
        charge(out.size());
        if (std::none_of(out.begin(), out.end(), [&](const Value& y) { return strict_equal(x, y); })) out.push_back(x);
      }
      return Value::new_list(std::move(out));
    }
    if (name == "sort") {
      bool reverse = flag_arg(a, 0, "reverse", "reverse").b;
      bool cs = flag_arg(a, 1, "case_sensitive", "case_sensitive").b;
      Value attr = arg(a, 2, "attribute") ? *arg(a, 2, "attribute") : Value::none();
      if (!attr.is_string() && attr.kind != Kind::integer && !attr.is_none())
        throw RenderError("attribute must be a string, integer, or null");
      std::string path = attr.is_string() ? attr.str() : attr.kind == Kind::integer ? std::to_string(attr.i) : "";
      auto key = [&](const Value& v) { return attr.is_none() ? v : attribute_path(v, path); };
      List out = l;
      std::stable_sort(out.begin(), out.end(), [&](const Value& x, const Value& y) {
        int r = compare_values(key(x), key(y), cs);
        return reverse ? r > 0 : r < 0;
      });
      return Value::new_list(std::move(out));
    }
    if (name == "selectattr" || name == "rejectattr") {
      bool select = name == "selectattr";
      for (const Value& x : l)
        if (!x.is_attr_container()) throw RenderError("`" + name + "` can only be applied to array of objects");
      for (const auto& n : f.args)
        if (n->kind != NodeKind::string) throw RenderError("arguments of `" + name + "` must be strings");
      if (a.pos.empty()) throw RenderError("`" + name + "` needs an attribute name");
      std::string attr = a.pos[0].str();
      std::vector<Value> test_args;
      if (a.pos.size() > 2) test_args.push_back(a.pos[2]);
      List out;
      for (const Value& x : l) {
        const Value* v = x.dict->find(attr);
        bool r = v && (a.pos.size() > 1 ? apply_test(a.pos[1].str(), *v, test_args) : truthy(*v));
        if (r == select) out.push_back(x);
      }
      return Value::new_list(std::move(out));
    }
    if (name == "select" || name == "reject") {  // Python Jinja: select('odd'), reject('equalto', 'x')
      std::vector<Value> test_args(a.pos.size() > 1 ? a.pos.begin() + 1 : a.pos.end(), a.pos.end());
      List out;
      for (const Value& x : l) {
        bool r = a.pos.empty() ? truthy(x) : apply_test(a.pos[0].is_string() ? a.pos[0].str() : "", x, test_args);
        if (r == (name == "select")) out.push_back(x);
      }
      return Value::new_list(std::move(out));
    }
    if (name == "map" && !a.pos.empty() && a.pos[0].is_string()) {  // Python Jinja: map('upper')
      Node inner(NodeKind::filter, f.pos);
      inner.str = a.pos[0].str();
      List out;
      for (const Value& x : l) out.push_back(apply_filter(x, inner, env));
      return Value::new_list(std::move(out));
    }
    if (name == "map") {
      const Value* attr = a.kwarg("attribute");
      if (!attr) throw RenderError("`map` expressions without `attribute` set are not currently supported.");
      if (!attr->is_string()) throw RenderError("attribute must be a string");
      const Value* fallback = a.kwarg("default");
      List out;
      for (const Value& x : l) {
        if (!x.is_attr_container()) throw RenderError("items in map must be an object");
        Value v = attribute_path(x, attr->str());
        out.push_back(v.is_undefined() && fallback ? *fallback : v);
      }
      return Value::new_list(std::move(out));
    }
    throw unknown();
  }
  if (operand.is_string()) {
    const std::string& s = operand.str();
    if (name == "length" || name == "count") return Value::integer(int64_t(utf16_length(s)));
    if (name == "upper") return Value::string(case_upper(s));
    if (name == "lower") return Value::string(case_lower(s));
    if (name == "title") return Value::string(js_title(s));
    if (name == "capitalize") return Value::string(js_capitalize(s));
    if (name == "trim") {
      if (!called || a.pos.empty()) return Value::string(js_trim(s, true, true));
      CallArgs strip_args{{a.pos[0]}, {}};
      return call_value(string_method(operand, "strip"), strip_args, env);
    }
    if (name == "string") return operand;
    if (name == "int") return Value::integer(js_parse_int(s).value_or(0));
    if (name == "float") return Value::floating(js_parse_float(s).value_or(0));
    if (name == "indent") {
      std::string pad = "    ";
      if (const Value* w = arg(a, 0, "width")) {
        if (w->kind != Kind::integer) throw RenderError("width must be a number");
        if (w->i < 0 || size_t(w->i) > limits_.max_output_bytes) throw RenderError("indent: width out of range");
        pad.assign(size_t(w->i), ' ');
      }
      bool first = arg(a, 1, "first") && truthy(*arg(a, 1, "first"));
      bool blank = arg(a, 2, "blank") && truthy(*arg(a, 2, "blank"));
      check_size(s.size() + pad.size() * size_t(std::count(s.begin(), s.end(), '\n') + 1));
      return Value::string(indent_text(s, pad, first, blank));
    }
    if (name == "replace" && called) return replace_text(*this, operand, a);
    // Python Jinja filters the reference lacks.
    if (name == "first" || name == "last") {
      auto cps = code_points(s);
      if (cps.empty()) return Value{};
      return Value::string(std::string(name == "first" ? cps.front() : cps.back()));
    }
    if (name == "list") {
      List out;
      for (auto cp : code_points(s)) out.push_back(Value::string(std::string(cp)));
      return Value::new_list(std::move(out));
    }
    if (name == "reverse") {
      auto cps = code_points(s);
      std::string out;
      for (auto it = cps.rbegin(); it != cps.rend(); ++it) out += *it;
      return Value::string(std::move(out));
    }
    throw unknown();
  }
  if (operand.is_number()) {
    if (name == "abs")
      return operand.kind == Kind::integer ? Value::integer(operand.i == INT64_MIN ? operand.i : std::llabs(operand.i))
                                           : Value::floating(std::fabs(operand.f));
    if (name == "int")
      return operand.kind == Kind::integer ? operand : Value::integer(int64_t(std::clamp(std::floor(operand.f), -9.2e18, 9.2e18)));
    if (name == "float") return Value::floating(operand.number());
    if (name == "string") return Value::string(to_output(operand));
    if (name == "round") {  // Python Jinja: round(precision=0, method='common') -> float
      Value p = arg(a, 0, "precision") ? *arg(a, 0, "precision") : Value::integer(0);
      Value m = arg(a, 1, "method") ? *arg(a, 1, "method") : Value::string("common");
      if (p.kind != Kind::integer || p.i < -20 || p.i > 20 || !m.is_string()) throw RenderError("round: bad arguments");
      double scale = std::pow(10.0, double(p.i)), x = operand.number() * scale;
      double r = m.str() == "floor" ? std::floor(x) : m.str() == "ceil" ? std::ceil(x) : std::round(x);
      return Value::floating(r / scale);
    }
    throw RenderError(std::string("Unknown NumericValue filter: ") + name);
  }
  if (operand.kind == Kind::dict) {
    if (name == "items") return call_value(dict_method(operand, "items"), a, env);
    if (name == "length" || name == "count") return Value::integer(int64_t(operand.dict->items.size()));
    if (name == "list") return call_value(dict_method(operand, "keys"), a, env);
    if (name == "string") return Value::string(to_json(operand, {}, false));
    Value m = dict_method(operand, name);
    if (m.kind == Kind::function) return call_value(m, a, env);
    throw unknown();
  }
  if (operand.kind == Kind::boolean) {
    if (name == "bool") return operand;
    if (name == "int") return Value::integer(operand.b);
    if (name == "float") return Value::floating(operand.b);
    if (name == "string") return Value::string(operand.b ? "true" : "false");
    throw RenderError(std::string("Unknown BooleanValue filter: ") + name);
  }
  throw RenderError("Cannot apply filter \"" + name + "\" to type: " + type_name(operand));
}

}  // namespace hub::inference::chat
