#include "inference/chat/interp.h"

#include <algorithm>

namespace hub::inference::chat {
namespace {

// Names a macro body reads without declaring them (kwargs/varargs switch on extra
// arguments, as Jinja decides by looking at the body).
bool reads_name(const Node& n, const std::string& name) {
  if (n.kind == NodeKind::identifier && n.str == name) return true;
  for (const auto* list : {&n.kids, &n.args, &n.body, &n.alt})
    for (const auto& k : *list)
      if (k && reads_name(*k, name)) return true;
  return false;
}

bool reads_name_block(const Block& b, const std::string& name) {
  for (const auto& n : b)
    if (reads_name(*n, name)) return true;
  return false;
}

}  // namespace

CallDepth::CallDepth(Interp& i) : in(i) {
  if (++in.call_depth_ > in.limits_.max_call_depth) {
    --in.call_depth_;
    throw LimitError("template calls nested too deeply (limit " + std::to_string(in.limits_.max_call_depth) + ")");
  }
}

void Interp::step() {
  if (++steps_ > limits_.max_steps)
    throw LimitError("template rendering exceeded " + std::to_string(limits_.max_steps) + " steps");
}
void Interp::charge(size_t units) {
  steps_ += units;
  step();
}
void Interp::check_size(size_t bytes) const {
  if (bytes > limits_.max_output_bytes)
    throw LimitError("template output exceeds " + std::to_string(limits_.max_output_bytes) + " bytes");
}
void Interp::check_items(size_t n) const {
  if (n > limits_.max_items)
    throw LimitError("template list exceeds " + std::to_string(limits_.max_items) + " items");
}

void Interp::exec_block(const Block& block, const EnvPtr& env, std::string& out) {
  for (const auto& n : block) exec(*n, env, out);
}

void Interp::exec(const Node& n, const EnvPtr& env, std::string& out) {
  step();
  EvalDepth depth(*this);
  switch (n.kind) {
    case NodeKind::text: out += n.str; break;
    case NodeKind::comment: return;
    case NodeKind::if_: exec_block(truthy(eval(*n.kids[0], env)) ? n.body : n.alt, env, out); break;
    case NodeKind::for_: exec_for(n, env, out); break;
    case NodeKind::set: exec_set(n, env); return;
    case NodeKind::macro: env->set(n.str, make_macro(n, "'" + n.str + "'", nullptr)); return;
    case NodeKind::break_: throw BreakSignal{};
    case NodeKind::continue_: throw ContinueSignal{};
    case NodeKind::call_stmt: {
      // caller() is an anonymous macro run in a child of the call site; the called macro
      // runs in a child of a scope that holds `caller`.
      Value caller = make_macro(n, "None", env);
      const Node& call = *n.kids[0];
      CallArgs args = eval_args(call.args, env);
      Value fn = eval(*call.kids[0], env);
      if (fn.kind != Kind::function)
        throw RenderError(std::string("Cannot call something that is not a function: got ") + type_name(fn));
      auto scope = std::make_shared<Env>();
      scope->parent = env;
      scope->set("caller", caller);
      out += to_output(call_value(fn, args, scope));
      break;
    }
    case NodeKind::filter_stmt: {
      std::string body;
      exec_block(n.body, env, body);
      out += to_output(apply_filter(Value::string(std::move(body)), n, env));
      break;
    }
    default: {
      Value v = eval(n, env);
      if (v.kind != Kind::none && v.kind != Kind::undefined) out += to_output(v);
    }
  }
  check_size(out.size());
}

void Interp::exec_for(const Node& n, const EnvPtr& env, std::string& out) {
  auto scope = std::make_shared<Env>();
  scope->parent = env;
  const Node* iter_node = n.kids[1].get();
  const Node* test = nullptr;
  if (iter_node->kind == NodeKind::select) {
    test = iter_node->kids[1].get();
    iter_node = iter_node->kids[0].get();
  }
  Value iterable = eval(*iter_node, scope);
  if (iterable.kind == Kind::dict) {
    Value keys = Value::new_list();
    for (const auto& [k, v] : iterable.dict->items) keys.list->push_back(Value::string(k));
    iterable = keys;
  }
  if (iterable.kind != Kind::list)
    throw RenderError(std::string("Expected iterable or object type in for loop: got ") + type_name(iterable));
  const Node& var = *n.kids[0];
  auto bind = [&](const EnvPtr& target, const Value& current) {
    if (var.kind == NodeKind::identifier) {
      target->set(var.str, current);
      return;
    }
    if (current.kind != Kind::list) throw RenderError(std::string("Cannot unpack non-iterable type: ") + type_name(current));
    if (current.list->size() != var.kids.size())
      throw RenderError(std::string("Too ") + (var.kids.size() > current.list->size() ? "few" : "many") + " items to unpack");
    for (size_t j = 0; j < var.kids.size(); ++j) {
      if (var.kids[j]->kind != NodeKind::identifier) throw RenderError("Cannot unpack non-identifier type");
      target->set(var.kids[j]->str, (*current.list)[j]);
    }
  };
  std::vector<Value> items;
  const List source = *iterable.list;  // the body may mutate the list it iterates
  for (const Value& current : source) {
    step();
    if (test) {
      auto loop_scope = std::make_shared<Env>();
      loop_scope->parent = scope;
      bind(loop_scope, current);
      if (!truthy(eval(*test, loop_scope))) continue;
    }
    items.push_back(current);
  }
  bool no_iteration = true;
  const int64_t len = int64_t(items.size());
  for (int64_t i = 0; i < len; ++i) {
    step();
    Value loop = Value::new_dict();
    auto& d = loop.dict->items;
    d.emplace_back("index", Value::integer(i + 1));
    d.emplace_back("index0", Value::integer(i));
    d.emplace_back("revindex", Value::integer(len - i));
    d.emplace_back("revindex0", Value::integer(len - i - 1));
    d.emplace_back("first", Value::boolean(i == 0));
    d.emplace_back("last", Value::boolean(i == len - 1));
    d.emplace_back("length", Value::integer(len));
    d.emplace_back("previtem", i > 0 ? items[size_t(i - 1)] : Value{});
    d.emplace_back("nextitem", i < len - 1 ? items[size_t(i + 1)] : Value{});
    scope->set("loop", loop);
    bind(scope, items[size_t(i)]);
    try {
      exec_block(n.body, scope, out);
    } catch (const ContinueSignal&) {
      continue;  // like the reference, a continued pass does not count as an iteration
    } catch (const BreakSignal&) {
      break;
    }
    no_iteration = false;
  }
  if (no_iteration) exec_block(n.alt, scope, out);
}

void Interp::exec_set(const Node& n, const EnvPtr& env) {
  Value rhs;
  if (n.kids[1]) {
    rhs = eval(*n.kids[1], env);
  } else {
    std::string body;
    exec_block(n.body, env, body);
    rhs = Value::string(std::move(body));
  }
  const Node& target = *n.kids[0];
  if (target.kind == NodeKind::identifier) {
    env->set(target.str, std::move(rhs));
  } else if (target.kind == NodeKind::tuple) {
    if (rhs.kind != Kind::list) throw RenderError(std::string("Cannot unpack non-iterable type in set: ") + type_name(rhs));
    if (rhs.list->size() != target.kids.size())
      throw RenderError(std::string("Too ") + (target.kids.size() > rhs.list->size() ? "few" : "many") +
                        " items to unpack in set");
    for (size_t i = 0; i < target.kids.size(); ++i) {
      if (target.kids[i]->kind != NodeKind::identifier) throw RenderError("Cannot unpack to non-identifier in set");
      env->set(target.kids[i]->str, (*rhs.list)[i]);
    }
  } else if (target.kind == NodeKind::member) {
    Value object = eval(*target.kids[0], env);
    if (object.kind != Kind::ns) throw RenderError("cannot assign attribute on non-namespace object");
    if (target.kids[1]->kind != NodeKind::identifier || target.flag)
      throw RenderError("Cannot assign to member with non-identifier property");
    object.dict->set(target.kids[1]->str, std::move(rhs));
  } else {
    throw RenderError("Invalid LHS inside assignment expression");
  }
}

// A macro (or a call block's caller) as a callable value. A caller holds its call site
// weakly, so one smuggled out of its block fails cleanly instead of dangling.
Value Interp::make_macro(const Node& n, const std::string& display, const EnvPtr& site) {
  const Node* node = &n;
  std::weak_ptr<Env> weak_site = site;
  bool is_caller = site != nullptr;
  bool kwargs = reads_name_block(n.body, "kwargs"), varargs = reads_name_block(n.body, "varargs");
  auto fn = std::make_shared<Function>();
  fn->name = is_caller ? "caller" : n.str;
  fn->call = [=](Interp& in, CallArgs& args, const EnvPtr& call_scope) -> Value {
    EnvPtr parent = call_scope;
    if (is_caller) {
      parent = weak_site.lock();
      if (!parent) throw RenderError("caller() used outside its call block");
    }
    auto scope = std::make_shared<Env>();
    scope->parent = parent;
    in.bind_args(node->args, display, kwargs, varargs, args, scope);
    std::string out;
    in.exec_block(node->body, scope, out);
    return Value::string(std::move(out));
  };
  Value v{Kind::function};
  v.fn = std::move(fn);
  return v;
}

void Interp::bind_args(const std::vector<NodePtr>& params, const std::string& display, bool kwargs,
                       bool varargs, CallArgs& args, const EnvPtr& scope) {
  std::vector<std::pair<std::string, Value>> kw = std::move(args.kw);
  std::vector<const Node*> pending;
  for (size_t i = 0; i < params.size(); ++i) {
    const Node& p = *params[i];
    Value value;
    bool have = i < args.pos.size();
    if (have) value = args.pos[i];
    if (!have) {
      auto it = std::find_if(kw.begin(), kw.end(), [&](auto& e) { return e.first == p.str; });
      if (it != kw.end()) {
        value = std::move(it->second);
        kw.erase(it);
        have = true;
      }
    }
    if (!have && p.kind == NodeKind::kwarg) pending.push_back(&p);
    scope->set(p.str, std::move(value));
  }
  if (kwargs) {
    Value d = Value::new_dict();
    d.dict->items = std::move(kw);
    scope->set("kwargs", d);
  } else if (!kw.empty()) {
    throw RenderError("macro " + display + " takes no keyword argument '" + kw.front().first + "'");
  }
  if (varargs) {
    Value rest = Value::new_list();
    for (size_t i = params.size(); i < args.pos.size(); ++i) rest.list->push_back(args.pos[i]);
    scope->set("varargs", rest);
  } else if (args.pos.size() > params.size()) {
    throw RenderError("macro " + display + " takes not more than " + std::to_string(params.size()) + " argument(s)");
  }
  for (const Node* p : pending) scope->set(p->str, eval(*p->kids[0], scope));
}

Value Interp::call_value(const Value& fn, CallArgs& args, const EnvPtr& scope) {
  if (fn.kind != Kind::function)
    throw RenderError(std::string("Cannot call something that is not a function: got ") + type_name(fn));
  CallDepth depth(*this);
  return fn.fn->call(*this, args, scope);
}

}  // namespace hub::inference::chat
