// Globals (namespace, range, raise_exception, strftime_now), tests (`is ...`), and the
// methods strings and dicts expose (`s.strip()`, `d.items()`), after @huggingface/jinja.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>

#include "inference/chat/interp.h"

namespace hub::inference::chat {
namespace {

Value make_fn(std::string name, std::function<Value(Interp&, CallArgs&, const EnvPtr&)> f) {
  auto fn = std::make_shared<Function>();
  fn->name = std::move(name);
  fn->call = std::move(f);
  Value v{Kind::function};
  v.fn = std::move(fn);
  return v;
}

std::string strftime_js(long long now, const std::string& fmt) {
  static const char* months[] = {"January", "February", "March",     "April",   "May",      "June",
                                 "July",    "August",   "September", "October", "November", "December"};
  static const char* days[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  time_t t = now ? time_t(now) : std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  auto pad = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%' || i + 1 >= fmt.size()) {
      out += fmt[i];
      continue;
    }
    char c = fmt[++i];
    switch (c) {
      case 'Y': out += std::to_string(tm.tm_year + 1900); break;
      case 'm': out += pad(tm.tm_mon + 1); break;
      case 'd': out += pad(tm.tm_mday); break;
      case 'b': out += std::string(months[tm.tm_mon]).substr(0, 3); break;
      case 'B': out += months[tm.tm_mon]; break;
      case 'H': out += pad(tm.tm_hour); break;
      case 'M': out += pad(tm.tm_min); break;
      // Beyond the reference (Python strftime has them).
      case 'S': out += pad(tm.tm_sec); break;
      case 'y': out += pad(tm.tm_year % 100); break;
      case 'A': out += days[tm.tm_wday]; break;
      case 'a': out += std::string(days[tm.tm_wday]).substr(0, 3); break;
      case '%': out += '%'; break;
      default: out += '%'; out += c;
    }
  }
  return out;
}

}  // namespace

static bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
std::string js_title(std::string s) {
  for (size_t i = 0; i < s.size(); ++i)
    if (word_char(s[i]) && (i == 0 || !word_char(s[i - 1]))) s[i] = char(std::toupper(static_cast<unsigned char>(s[i])));
  return s;
}
void install_globals(Env& env, long long now) {
  env.set("true", Value::boolean(true));
  env.set("false", Value::boolean(false));
  env.set("none", Value::none());
  env.set("True", Value::boolean(true));
  env.set("False", Value::boolean(false));
  env.set("None", Value::none());
  env.set("raise_exception", make_fn("raise_exception", [](Interp&, CallArgs& a, const EnvPtr&) -> Value {
            throw RaisedError(a.pos.empty() ? std::string() : to_output(a.pos[0]));
          }));
  env.set("range", make_fn("range", [](Interp& in, CallArgs& a, const EnvPtr&) -> Value {
            for (const Value& v : a.pos)
              if (v.kind != Kind::integer) throw RenderError("range() arguments must be integers");
            if (a.pos.empty()) throw RenderError("range expected at least 1 argument, got 0");
            int64_t start = 0, stop = a.pos[0].i, step = 1;
            if (a.pos.size() >= 2) start = a.pos[0].i, stop = a.pos[1].i;
            if (a.pos.size() >= 3) step = a.pos[2].i;
            if (step == 0) throw RenderError("range() step must not be zero");
            long double count = std::ceil((static_cast<long double>(stop) - start) / step);
            if (count > 0) in.check_items(size_t(std::min<long double>(count, 1e18)));
            Value out = Value::new_list();
            for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
              out.list->push_back(Value::integer(i));
              if ((step > 0 && i > INT64_MAX - step) || (step < 0 && i < INT64_MIN - step)) break;
            }
            return out;
          }));
  env.set("strftime_now", make_fn("strftime_now", [now](Interp&, CallArgs& a, const EnvPtr&) -> Value {
            if (a.pos.empty() || !a.pos[0].is_string()) throw RenderError("strftime_now() expects a format string");
            return Value::string(strftime_js(now, a.pos[0].str()));
          }));
  env.set("namespace", make_fn("namespace", [](Interp& in, CallArgs& a, const EnvPtr&) -> Value {
            if (a.pos.size() > 1)
              throw RenderError("namespace expected at most 1 argument, got " + std::to_string(a.pos.size()));
            Value ns = Value::new_ns();
            in.track_namespace(ns);
            if (a.pos.size() == 1) {
              const Value& src = a.pos[0];
              if (src.kind == Kind::dict) {
                for (const auto& [k, v] : src.dict->items) ns.dict->set(k, v);
              } else if (src.kind == Kind::list) {
                for (const Value& pair : *src.list) {
                  if (pair.kind != Kind::list || pair.list->size() != 2)
                    throw RenderError("namespace expected an object or an iterable of [key, value] pairs");
                  if (!(*pair.list)[0].is_string()) throw RenderError("namespace keys must be strings");
                  ns.dict->set((*pair.list)[0].str(), (*pair.list)[1]);
                }
              } else {
                throw RenderError(std::string("'") + type_name(src) + "' object is not iterable");
              }
            }
            for (const auto& [k, v] : a.kw) ns.dict->set(k, v);
            return ns;
          }));
}

bool Interp::apply_test(const std::string& name, const Value& v, const std::vector<Value>& args) {
  auto need_int = [&]() {
    if (v.kind != Kind::integer) throw RenderError("cannot " + name + " on " + type_name(v));
  };
  auto first_arg = [&]() -> const Value& {
    if (args.empty()) throw RenderError("test '" + name + "' needs an argument");
    return args[0];
  };
  if (name == "boolean") return v.kind == Kind::boolean;
  if (name == "callable") return v.kind == Kind::function;
  if (name == "odd") return need_int(), v.i % 2 != 0;
  if (name == "even") return need_int(), v.i % 2 == 0;
  if (name == "false") return v.kind == Kind::boolean && !v.b;
  if (name == "true") return v.kind == Kind::boolean && v.b;
  if (name == "none") return v.is_none();
  if (name == "string") return v.is_string();
  if (name == "number") return v.is_number();
  if (name == "integer") return v.kind == Kind::integer;
  if (name == "float") return v.kind == Kind::floating;
  if (name == "iterable") return (v.kind == Kind::list && !v.tuple) || v.is_string();
  if (name == "mapping") return v.kind == Kind::dict;
  if (name == "sequence") return v.kind == Kind::list || v.kind == Kind::dict || v.is_string();
  if (name == "lower") return v.is_string() && v.str() == case_lower(v.str());
  if (name == "upper") return v.is_string() && v.str() == case_upper(v.str());
  if (name == "defined") return !v.is_undefined();
  if (name == "undefined") return v.is_undefined();
  if (name == "equalto" || name == "eq" || name == "==") return strict_equal(v, args.empty() ? Value{} : args[0]);
  if (name == "ne" || name == "!=") return !strict_equal(v, args.empty() ? Value{} : args[0]);
  // Beyond the reference (Python Jinja has them).
  if (name == "divisibleby") {
    const Value& d = first_arg();
    if (v.kind != Kind::integer || d.kind != Kind::integer) throw RenderError("divisibleby needs integers");
    if (d.i == 0) throw RenderError("divisibleby(0)");
    return d.i == -1 || v.i % d.i == 0;
  }
  if (name == "sameas") {
    const Value& o = first_arg();
    return v.kind == o.kind && strict_equal(v, o);
  }
  if (name == "in") {
    const Value& c = first_arg();
    if (c.kind == Kind::list)
      return std::any_of(c.list->begin(), c.list->end(), [&](const Value& x) { return strict_equal(x, v); });
    if (c.is_string() && v.is_string()) return c.str().find(v.str()) != std::string::npos;
    if (c.kind == Kind::dict && v.is_string()) return c.dict->find(v.str()) != nullptr;
    throw RenderError("test 'in' needs a list, string or mapping");
  }
  throw RenderError("Unknown test: " + name);
}

int compare_values(const Value& a, const Value& b, bool case_sensitive) {
  if (a.is_none() && b.is_none()) return 0;
  if (a.is_none() || b.is_none() || (a.is_undefined() != b.is_undefined()))
    throw RenderError(std::string("Cannot compare ") + type_name(a) + " with " + type_name(b));
  if (a.is_undefined()) return 0;
  auto numeric = [](const Value& v) { return v.is_number() || v.kind == Kind::boolean; };
  if (numeric(a) && numeric(b)) return a.number() < b.number() ? -1 : a.number() > b.number() ? 1 : 0;
  if (a.kind != b.kind)
    throw RenderError(std::string("Cannot compare different types: ") + type_name(a) + " and " + type_name(b));
  if (!a.is_string()) throw RenderError(std::string("Cannot compare type: ") + type_name(a));
  std::string x = case_sensitive ? a.str() : case_lower(a.str());
  std::string y = case_sensitive ? b.str() : case_lower(b.str());
  return x < y ? -1 : x > y ? 1 : 0;
}

Value attribute_path(const Value& item, const std::string& path) {
  Value cur = item;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (cur.is_attr_container()) {
      const Value* v = cur.dict->find(part);
      cur = v ? *v : Value{};
    } else if (cur.kind == Kind::list) {
      char* end = nullptr;
      long long idx = std::strtoll(part.c_str(), &end, 10);
      if (end == part.c_str() || idx < 0 || size_t(idx) >= cur.list->size()) return Value{};
      cur = (*cur.list)[size_t(idx)];
    } else {
      return Value{};
    }
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

Value replace_text(Interp& in, const Value& s, CallArgs& a) {
  if (a.pos.size() < 2) throw RenderError("replace() requires at least two arguments");
  const Value& from = a.pos[0];
  const Value& to = a.pos[1];
  if (!from.is_string() || !to.is_string()) throw RenderError("replace() arguments must be strings");
  Value count = a.pos.size() > 2 ? a.pos[2] : a.kwarg("count") ? *a.kwarg("count") : Value::none();
  if (count.kind != Kind::integer && !count.is_none()) throw RenderError("replace() count argument must be a number or null");
  int64_t remaining = count.is_none() || count.i < 0 ? INT64_MAX : count.i;
  const std::string& src = s.str();
  std::string out;
  if (from.str().empty()) {
    // An empty pattern matches between every code point, and at both ends.
    auto cps = code_points(src);
    for (size_t i = 0; i <= cps.size(); ++i) {
      if (remaining > 0) {
        out += to.str();
        --remaining;
        in.check_size(out.size());
      }
      if (i < cps.size()) out += cps[i];
    }
    return Value::string(std::move(out));
  }
  size_t pos = 0;
  while (remaining > 0) {
    size_t hit = src.find(from.str(), pos);
    if (hit == std::string::npos) break;
    out.append(src, pos, hit - pos);
    out += to.str();
    in.check_size(out.size());
    pos = hit + from.str().size();
    --remaining;
  }
  out.append(src, pos);
  return Value::string(std::move(out));
}

}  // namespace hub::inference::chat
