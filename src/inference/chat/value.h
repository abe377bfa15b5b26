// Runtime values of the chat-template engine: undefined, none, bool, int, float, string,
// list, dict, namespace and callables. Lists, dicts and namespaces are shared by reference
// (a namespace is mutated through any alias; `==` on containers is identity, as in
// @huggingface/jinja). Strings are immutable and shared. Not thread-safe: a render owns
// its values; only parsed templates are shared between threads.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hub::inference::chat {

struct Value;
struct Dict;
struct Function;
using List = std::vector<Value>;

enum class Kind : uint8_t { undefined, none, boolean, integer, floating, string, list, dict, ns, function };

struct Value {
  Kind kind = Kind::undefined;
  bool tuple = false;  // a list made by a tuple literal: the reference cannot print it
  bool b = false;
  bool neg_zero = false;  // an integer 0 that JavaScript holds as -0 (0 * -2, -4 % 2)
  int64_t i = 0;
  double f = 0;
  std::shared_ptr<const std::string> s;
  std::shared_ptr<List> list;
  std::shared_ptr<Dict> dict;  // dict and namespace
  std::shared_ptr<const Function> fn;

  Value() = default;
  explicit Value(Kind k) : kind(k) {}
  static Value none() { return Value{Kind::none}; }
  static Value boolean(bool v) { Value x{Kind::boolean}; x.b = v; return x; }
  static Value integer(int64_t v) { Value x{Kind::integer}; x.i = v; return x; }
  static Value floating(double v) { Value x{Kind::floating}; x.f = v; return x; }
  static Value string(std::string v);
  static Value new_list(List items = {});
  static Value new_dict();
  static Value new_ns();

  bool is_undefined() const { return kind == Kind::undefined; }
  bool is_none() const { return kind == Kind::none; }
  bool is_string() const { return kind == Kind::string; }
  bool is_list() const { return kind == Kind::list; }
  bool is_number() const { return kind == Kind::integer || kind == Kind::floating; }
  bool is_attr_container() const { return kind == Kind::dict || kind == Kind::ns; }
  const std::string& str() const { return *s; }
  double number() const {
    if (kind == Kind::integer) return neg_zero ? -0.0 : double(i);
    return kind == Kind::boolean ? double(b) : f;
  }
};

// Insertion-ordered string-keyed map (Jinja dicts keep insertion order).
struct Dict {
  std::vector<std::pair<std::string, Value>> items;
  const Value* find(std::string_view key) const;
  void set(std::string key, Value v);
};

struct CallArgs {
  std::vector<Value> pos;
  std::vector<std::pair<std::string, Value>> kw;
  const Value* kwarg(std::string_view name) const;
};

class Interp;
struct Env;
// A callable: a builtin, a macro, or a call block's caller(). `scope` is the caller's
// scope (macros evaluate in a child of it, as the reference does).
struct Function {
  std::string name;
  std::function<Value(Interp&, CallArgs&, const std::shared_ptr<Env>& scope)> call;
};

const char* kind_name(Kind k);  // the @huggingface/jinja type names, for error messages
const char* type_name(const Value& v);  // kind_name, with TupleValue for tuples
bool truthy(const Value& v);
// Strict equality (`in`, unique, equalto): primitives by value, containers by identity.
bool strict_equal(const Value& a, const Value& b);
// Loose equality (`==`): also numbers vs bools vs numeric strings, none == undefined.
bool loose_equal(const Value& a, const Value& b);

// Text forms, matching the reference engine (JavaScript number formatting).
std::string js_number(double v);
std::string to_output(const Value& v);  // what `{{ v }}` prints (none/undefined: "")
struct JsonOptions {
  int indent = 0;
  bool ensure_ascii = false;
  bool sort_keys = false;
  bool custom_separators = false;
  std::string item_sep, key_sep;
};
// Throws RenderError for callables. `undefined_as_null` false prints `undefined`.
std::string to_json(const Value& v, const JsonOptions& o, bool undefined_as_null = true);

Value from_json(const boost::json::value& v);

// UTF-8 helpers with JavaScript's notion of whitespace and length.
size_t js_space_len(std::string_view s, size_t pos);      // 0 when not whitespace
size_t js_space_len_before(std::string_view s, size_t end);
std::string js_trim(std::string_view s, bool left, bool right);
size_t utf16_length(std::string_view s);
std::vector<std::string_view> code_points(std::string_view s);
void append_utf8(std::string& out, uint32_t cp);

}  // namespace hub::inference::chat
