// Methods on strings (`s.strip()`, `s.split(',')`) and dicts (`d.get('k')`, `d.items()`),
// bound to their receiver when looked up, as the reference's builtins maps do.
#include <algorithm>

#include "inference/chat/interp.h"

namespace hub::inference::chat {
namespace {

Value bound(std::string name, std::function<Value(Interp&, CallArgs&)> f) {
  auto fn = std::make_shared<Function>();
  fn->name = std::move(name);
  fn->call = [f = std::move(f)](Interp& in, CallArgs& a, const EnvPtr&) { return f(in, a); };
  Value v{Kind::function};
  v.fn = std::move(fn);
  return v;
}

// Python's str.strip(chars): drop any of the given code points from the ends.
std::string strip_chars(const std::string& s, const std::string& chars, bool left, bool right) {
  auto set = code_points(chars);
  auto cps = code_points(s);
  size_t b = 0, e = cps.size();
  auto in_set = [&](std::string_view c) { return std::find(set.begin(), set.end(), c) != set.end(); };
  if (left)
    while (b < e && in_set(cps[b])) ++b;
  if (right)
    while (e > b && in_set(cps[e - 1])) --e;
  std::string out;
  for (size_t i = b; i < e; ++i) out += cps[i];
  return out;
}

Value strip_method(const std::shared_ptr<const std::string>& s, const char* name, bool left, bool right) {
  return bound(name, [s, left, right](Interp&, CallArgs& a) {
    // The reference ignores an argument; Python strips the given characters.
    if (!a.pos.empty() && a.pos[0].is_string()) return Value::string(strip_chars(*s, a.pos[0].str(), left, right));
    return Value::string(js_trim(*s, left, right));
  });
}

Value affix_method(const std::shared_ptr<const std::string>& s, const std::string& name, bool prefix) {
  return bound(name, [s, name, prefix](Interp&, CallArgs& a) {
    if (a.pos.empty()) throw RenderError(name + "() requires at least one argument");
    auto test = [&](const std::string& p) {
      if (p.size() > s->size()) return false;
      return prefix ? s->compare(0, p.size(), p) == 0 : s->compare(s->size() - p.size(), p.size(), p) == 0;
    };
    const Value& p = a.pos[0];
    if (p.is_string()) return Value::boolean(test(p.str()));
    if (p.kind == Kind::list) {
      for (const Value& x : *p.list) {
        if (!x.is_string()) throw RenderError(name + "() tuple elements must be strings");
        if (test(x.str())) return Value::boolean(true);
      }
      return Value::boolean(false);
    }
    throw RenderError(name + "() argument must be a string or tuple of strings");
  });
}

Value split_method(const std::shared_ptr<const std::string>& s) {
  return bound("split", [s](Interp& in, CallArgs& a) {
    Value sep = a.pos.size() > 0 ? a.pos[0] : a.kwarg("sep") ? *a.kwarg("sep") : Value::none();
    if (!sep.is_string() && !sep.is_none()) throw RenderError("sep argument must be a string or null");
    Value maxv = a.pos.size() > 1 ? a.pos[1] : a.kwarg("maxsplit") ? *a.kwarg("maxsplit") : Value::integer(-1);
    if (maxv.kind != Kind::integer) throw RenderError("maxsplit argument must be a number");
    int64_t max = maxv.i;
    Value out = Value::new_list();
    auto push = [&](std::string part) {
      out.list->push_back(Value::string(std::move(part)));
      in.check_items(out.list->size());
    };
    if (sep.is_none()) {
      std::string text = js_trim(*s, true, false);
      size_t i = 0;
      while (i < text.size()) {
        size_t start = i;
        while (i < text.size() && !js_space_len(text, i)) ++i;
        if (max != -1 && int64_t(out.list->size()) >= max) {
          push(text.substr(start));
          break;
        }
        push(text.substr(start, i - start));
        while (size_t n = js_space_len(text, i)) i += n;
      }
      return out;
    }
    const std::string& d = sep.str();
    if (d.empty()) throw RenderError("empty separator");
    size_t pos = 0;
    while (true) {
      size_t hit = s->find(d, pos);
      if (hit == std::string::npos || (max != -1 && int64_t(out.list->size()) >= max)) {
        push(s->substr(pos));
        break;
      }
      push(s->substr(pos, hit - pos));
      pos = hit + d.size();
    }
    return out;
  });
}

}  // namespace

namespace {

// The method itself, before charging for its walk over the string.
Value string_method_unbound(const Value& str, const std::string& name) {
  const auto& s = str.s;
  if (name == "upper") return bound(name, [s](Interp&, CallArgs&) { return Value::string(case_upper(*s)); });
  if (name == "lower") return bound(name, [s](Interp&, CallArgs&) { return Value::string(case_lower(*s)); });
  if (name == "title") return bound(name, [s](Interp&, CallArgs&) { return Value::string(js_title(*s)); });
  if (name == "capitalize") return bound(name, [s](Interp&, CallArgs&) { return Value::string(js_capitalize(*s)); });
  if (name == "strip") return strip_method(s, "strip", true, true);
  if (name == "lstrip") return strip_method(s, "lstrip", true, false);
  if (name == "rstrip") return strip_method(s, "rstrip", false, true);
  if (name == "startswith") return affix_method(s, name, true);
  if (name == "endswith") return affix_method(s, name, false);
  if (name == "split") return split_method(s);
  if (name == "replace") {
    Value self = str;
    return bound(name, [self](Interp& in, CallArgs& a) { return replace_text(in, self, a); });
  }
  return Value{};
}

}  // namespace

Value string_method(const Value& str, const std::string& name) {
  if (name == "length") return Value::integer(int64_t(utf16_length(str.str())));
  Value m = string_method_unbound(str, name);
  if (m.kind != Kind::function) return m;
  // Every method walks its string: charge that when it is called.
  auto inner = m.fn;
  size_t cost = Interp::bytes(str.str().size());
  return bound(name, [inner, cost](Interp& in, CallArgs& a) {
    in.charge(cost);
    return inner->call(in, a, nullptr);
  });
}

Value dict_sorted(const Value& d, const CallArgs& a) {
  Value cs = arg(a, 0, "case_sensitive") ? *arg(a, 0, "case_sensitive") : Value::boolean(false);
  if (cs.kind != Kind::boolean) throw RenderError("case_sensitive must be a boolean");
  Value by = arg(a, 1, "by") ? *arg(a, 1, "by") : Value::string("key");
  if (!by.is_string()) throw RenderError("by must be a string");
  if (by.str() != "key" && by.str() != "value") throw RenderError("by must be either 'key' or 'value'");
  Value rev = arg(a, 2, "reverse") ? *arg(a, 2, "reverse") : Value::boolean(false);
  if (rev.kind != Kind::boolean) throw RenderError("reverse must be a boolean");
  List items;
  for (const auto& [k, v] : d.dict->items) items.push_back(Value::new_list({Value::string(k), v}));
  size_t idx = by.str() == "key" ? 0 : 1;
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    int r = compare_values((*x.list)[idx], (*y.list)[idx], cs.b);
    return rev.b ? r > 0 : r < 0;
  });
  return Value::new_list(std::move(items));
}

Value dict_method(const Value& dict, const std::string& name) {
  Value d = dict;
  if (name == "get")
    return bound(name, [d](Interp&, CallArgs& a) {
      if (a.pos.empty() || !a.pos[0].is_string())
        throw RenderError(std::string("Object key must be a string: got ") +
                          kind_name(a.pos.empty() ? Kind::undefined : a.pos[0].kind));
      if (const Value* v = d.dict->find(a.pos[0].str())) return *v;
      return a.pos.size() > 1 ? a.pos[1] : Value::none();
    });
  if (name == "items")
    return bound(name, [d](Interp&, CallArgs&) {
      List out;
      for (const auto& [k, v] : d.dict->items) out.push_back(Value::new_list({Value::string(k), v}));
      return Value::new_list(std::move(out));
    });
  if (name == "keys")
    return bound(name, [d](Interp&, CallArgs&) {
      List out;
      for (const auto& [k, v] : d.dict->items) out.push_back(Value::string(k));
      return Value::new_list(std::move(out));
    });
  if (name == "values")
    return bound(name, [d](Interp&, CallArgs&) {
      List out;
      for (const auto& [k, v] : d.dict->items) out.push_back(v);
      return Value::new_list(std::move(out));
    });
  if (name == "dictsort") return bound(name, [d](Interp&, CallArgs& a) { return dict_sorted(d, a); });
  return Value{};
}

}  // namespace hub::inference::chat
