// The tree-walking evaluator of chat templates (internal to inference/chat). Errors are
// thrown as RenderError / RaisedError inside and turned into Result once, at
// Template::render. Scoping follows @huggingface/jinja: `for` bodies and macro calls get a
// child scope; `if` does not; macros see the scope they are called from. Every node
// visited, loop pass and output byte counts against RenderLimits, so a hostile template
// fails with a clear error instead of hanging or exhausting memory. One Interp per render.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "inference/chat/ast.h"
#include "inference/chat/template.h"
#include "inference/chat/value.h"

namespace hub::inference::chat {

inline constexpr int kMaxJsonDepth = 512;

struct RenderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// raise_exception(msg) in a template: the message is the template author's, verbatim.
struct RaisedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct LimitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// Bytes of strings made by the render on this thread (set by Template::render), so value
// code that has no Interp (Value::string, JSON, printing) is bounded too.
struct StringBudget {
  size_t max_string = 0;
  size_t max_total = 0;
  size_t total = 0;
  void add(size_t bytes) {
    total += bytes;
    if (bytes > max_string) throw LimitError("template string exceeds " + std::to_string(max_string) + " bytes");
    if (total > max_total) throw LimitError("template rendering made more than " + std::to_string(max_total) + " bytes of text");
  }
  void check(size_t bytes) const {
    if (bytes > max_string) throw LimitError("template string exceeds " + std::to_string(max_string) + " bytes");
  }
};
inline thread_local StringBudget* tl_string_budget = nullptr;

struct BreakSignal {};
struct ContinueSignal {};

// Nested evaluation frames (expression depth x macro recursion), bounding stack use.
inline constexpr int kMaxEvalDepth = 1000;

struct Env {
  std::shared_ptr<Env> parent;
  std::unordered_map<std::string, Value> vars;
  const Value* lookup(const std::string& name) const {
    for (const Env* e = this; e; e = e->parent.get()) {
      auto it = e->vars.find(name);
      if (it != e->vars.end()) return &it->second;
    }
    return nullptr;
  }
  void set(const std::string& name, Value v) { vars[name] = std::move(v); }
};
using EnvPtr = std::shared_ptr<Env>;

class Interp {
 public:
  explicit Interp(const RenderLimits& limits) : limits_(limits) {}
  // Namespaces are the only mutable values, so the only way to build a reference cycle
  // (`{% set ns.self = ns %}`); emptying them when the render ends frees such cycles.
  ~Interp() {
    for (auto& weak : namespaces_)
      if (auto ns = weak.lock()) ns->items.clear();
  }
  Interp(const Interp&) = delete;
  Interp& operator=(const Interp&) = delete;
  void track_namespace(const Value& ns) { namespaces_.push_back(ns.dict); }

  void exec_block(const Block& block, const EnvPtr& env, std::string& out);
  Value eval(const Node& n, const EnvPtr& env);

  // Budget checks.
  void step();
  // Work proportional to data: `units` items, or bytes / 64 (see bytes()).
  void charge(size_t units);
  static size_t bytes(size_t n) { return n / 64; }
  void check_size(size_t bytes) const;
  void check_items(size_t n) const;
  const RenderLimits& limits() const { return limits_; }

  // filters.cpp / builtins.cpp
  Value apply_filter(const Value& operand, const Node& filter, const EnvPtr& env);
  bool apply_test(const std::string& name, const Value& operand, const std::vector<Value>& args);
  Value member(const Value& object, const Value& property);
  CallArgs eval_args(const std::vector<NodePtr>& args, const EnvPtr& env);
  Value call_value(const Value& fn, CallArgs& args, const EnvPtr& scope);

 private:
  void exec(const Node& n, const EnvPtr& env, std::string& out);
  void exec_for(const Node& n, const EnvPtr& env, std::string& out);
  void exec_set(const Node& n, const EnvPtr& env);
  Value make_macro(const Node& n, const std::string& display, const EnvPtr& site);
  void bind_args(const std::vector<NodePtr>& params, const std::string& display, bool kwargs, bool varargs,
                 CallArgs& args, const EnvPtr& scope);
  Value eval_binary(const Node& n, const EnvPtr& env);
  Value eval_member(const Node& n, const EnvPtr& env);
  Value eval_slice(const Value& object, const Node& slice, const EnvPtr& env);

  RenderLimits limits_;
  std::vector<std::weak_ptr<Dict>> namespaces_;
  size_t steps_ = 0;
  int call_depth_ = 0;
  int eval_depth_ = 0;
  friend struct CallDepth;
  friend struct EvalDepth;
};

struct EvalDepth {
  Interp& in;
  explicit EvalDepth(Interp& i) : in(i) {
    if (++in.eval_depth_ > kMaxEvalDepth) {
      --in.eval_depth_;
      throw LimitError("template evaluation nested too deeply");
    }
  }
  ~EvalDepth() { --in.eval_depth_; }
};

struct CallDepth {
  Interp& in;
  explicit CallDepth(Interp& i);
  ~CallDepth() { --in.call_depth_; }
};

// A call's argument: positional index `i`, else keyword `name`, else null.
inline const Value* arg(const CallArgs& a, size_t i, std::string_view name) {
  if (i < a.pos.size()) return &a.pos[i];
  return a.kwarg(name);
}

// JavaScript's String(value) for `~`, `+` and join (eval.cpp).
std::string concat_text(const Value& v);

// builtins.cpp
void install_globals(Env& env, long long now);
Value string_method(const Value& s, const std::string& name);  // undefined if none
Value dict_sorted(const Value& d, const CallArgs& args);
Value dict_method(const Value& d, const std::string& name);
Value replace_text(Interp& in, const Value& s, CallArgs& args);
int compare_values(const Value& a, const Value& b, bool case_sensitive);
Value attribute_path(const Value& item, const std::string& path);
// casemap.cpp: JavaScript-like case mapping (see there for the scripts covered).
std::string case_lower(std::string s);
std::string case_upper(std::string s);
std::string js_title(std::string s);
std::string js_capitalize(const std::string& s);

}  // namespace hub::inference::chat
