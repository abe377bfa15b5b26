// Expression evaluation (the statement half is interp.cpp).
#include <algorithm>
#include <cmath>

#include "inference/chat/interp.h"

namespace hub::inference::chat {
namespace {

bool numeric_like(const Value& v) { return v.is_number() || v.kind == Kind::boolean; }

int64_t checked(int64_t a, int64_t b, char op) {
  int64_t r = 0;
  bool overflow = op == '+'   ? __builtin_add_overflow(a, b, &r)
                  : op == '-' ? __builtin_sub_overflow(a, b, &r)
                              : __builtin_mul_overflow(a, b, &r);
  if (overflow) throw RenderError("integer overflow");
  return r;
}

Value number_result(double v, bool is_float) {
  if (is_float) return Value::floating(v);
  if (!std::isfinite(v) || std::fabs(v) > 9.2e18) throw RenderError("integer overflow");
  Value r = Value::integer(int64_t(v));
  r.neg_zero = v == 0 && std::signbit(v);
  return r;
}

// Python-style slice bounds, as the reference's slice() helper computes them.
std::vector<size_t> slice_indices(int64_t len, const Value& start_v, const Value& stop_v, const Value& step_v) {
  int64_t step = step_v.is_undefined() ? 1 : step_v.i;
  if (step == 0) throw RenderError("slice step cannot be zero");
  int64_t start, stop;
  if (step > 0) {
    start = start_v.is_undefined() ? 0 : start_v.i;
    start = start < 0 ? std::max<int64_t>(len + start, 0) : std::min(start, len);
    stop = stop_v.is_undefined() ? len : stop_v.i;
    stop = stop < 0 ? std::max<int64_t>(len + stop, 0) : std::min(stop, len);
  } else {
    start = start_v.is_undefined() ? len - 1 : start_v.i;
    start = start < 0 ? std::max<int64_t>(len + start, -1) : std::min(start, len - 1);
    stop = stop_v.is_undefined() ? -1 : stop_v.i;
    stop = stop < -1 ? std::max<int64_t>(len + stop, -1) : std::min(stop, len - 1);
  }
  std::vector<size_t> out;
  for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.push_back(size_t(i));
  return out;
}

}  // namespace

// `~` and `+` on strings print operands with JavaScript's String(value), not as `{{ }}`
// does: 2.0 is "2", a list is its elements joined by ",", a dict "[object Map]".
std::string concat_text(const Value& v) {
  switch (v.kind) {
    case Kind::floating: return js_number(v.f);
    case Kind::list: {
      std::string out;
      for (size_t i = 0; i < v.list->size(); ++i) {
        const Value& x = (*v.list)[i];
        if (i) out += ',';
        out += x.is_none() ? "null" : x.is_undefined() ? "undefined" : to_output(x);
        if (tl_string_budget) tl_string_budget->check(out.size());
      }
      return out;
    }
    case Kind::dict:
    case Kind::ns: return "[object Map]";
    default: return to_output(v);
  }
}


Value Interp::eval(const Node& n, const EnvPtr& env) {
  step();
  EvalDepth depth(*this);
  switch (n.kind) {
    case NodeKind::integer: {
      Value v = Value::integer(n.ival);
      v.neg_zero = n.flag && n.ival == 0;  // the literal -0
      return v;
    }
    case NodeKind::floating: return Value::floating(n.fval);
    case NodeKind::string:
    case NodeKind::text: return Value::string(n.str);
    case NodeKind::identifier: {
      const Value* v = env->lookup(n.str);
      return v ? *v : Value{};
    }
    case NodeKind::array:
    case NodeKind::tuple: {
      Value out = Value::new_list();
      out.tuple = n.kind == NodeKind::tuple;
      for (const auto& k : n.kids) out.list->push_back(eval(*k, env));
      return out;
    }
    case NodeKind::object: {
      Value out = Value::new_dict();
      for (size_t i = 0; i + 1 < n.kids.size(); i += 2) {
        Value key = eval(*n.kids[i], env);
        if (!key.is_string()) throw RenderError(std::string("Object keys must be strings: got ") + type_name(key));
        out.dict->set(key.str(), eval(*n.kids[i + 1], env));
      }
      return out;
    }
    case NodeKind::call: {
      CallArgs args = eval_args(n.args, env);
      Value fn = eval(*n.kids[0], env);
      return call_value(fn, args, env);
    }
    case NodeKind::member: return eval_member(n, env);
    case NodeKind::unary: {
      Value a = eval(*n.kids[0], env);
      if (n.str == "not") return Value::boolean(!truthy(a));
      if (!numeric_like(a)) throw RenderError("Unknown operator \"" + n.str + "\" for " + type_name(a));
      if (a.kind == Kind::floating) return Value::floating(n.str == "-" ? -a.f : a.f);
      int64_t v = a.kind == Kind::boolean ? int64_t(a.b) : a.i;
      Value r = Value::integer(n.str == "-" ? checked(0, v, '-') : v);
      r.neg_zero = r.i == 0 && (n.str == "-" ? !std::signbit(a.number()) : std::signbit(a.number()));
      return r;
    }
    case NodeKind::binary: return eval_binary(n, env);
    case NodeKind::filter: return apply_filter(eval(*n.kids[0], env), n, env);
    case NodeKind::test: {
      Value operand = eval(*n.kids[0], env);
      std::vector<Value> args;
      for (const auto& a : n.args) args.push_back(eval(*a, env));
      bool r = apply_test(n.str, operand, args);
      return Value::boolean(n.flag ? !r : r);
    }
    case NodeKind::select:
      if (!truthy(eval(*n.kids[1], env))) return Value{};
      return eval(*n.kids[0], env);
    case NodeKind::ternary: return truthy(eval(*n.kids[0], env)) ? eval(*n.kids[1], env) : eval(*n.kids[2], env);
    default: {
      // A statement in expression position cannot come out of the parser.
      throw RenderError("Unknown node type");
    }
  }
}

CallArgs Interp::eval_args(const std::vector<NodePtr>& args, const EnvPtr& env) {
  CallArgs out;
  for (const auto& a : args) {
    if (a->kind == NodeKind::spread) {
      Value v = eval(*a->kids[0], env);
      if (v.kind != Kind::list) throw RenderError(std::string("Cannot unpack non-iterable type: ") + type_name(v));
      for (const Value& x : *v.list) out.pos.push_back(x);
    } else if (a->kind != NodeKind::kwarg && a->kind != NodeKind::kwspread) {
      out.pos.push_back(eval(*a, env));
    }
  }
  auto add = [&](const std::string& key, Value v) {
    if (out.kwarg(key)) throw RenderError("Got multiple values for keyword argument '" + key + "'");
    out.kw.emplace_back(key, std::move(v));
  };
  for (const auto& a : args) {
    if (a->kind == NodeKind::kwarg) {
      add(a->str, eval(*a->kids[0], env));
    } else if (a->kind == NodeKind::kwspread) {
      Value v = eval(*a->kids[0], env);
      if (v.kind != Kind::dict) throw RenderError(std::string("Argument after ** must be a mapping, not ") + type_name(v));
      for (const auto& [k, x] : v.dict->items) add(k, x);
    }
  }
  return out;
}

Value Interp::eval_binary(const Node& n, const EnvPtr& env) {
  const std::string& op = n.str;
  Value left = eval(*n.kids[0], env);
  if (op == "and") return truthy(left) ? eval(*n.kids[1], env) : left;
  if (op == "or") return truthy(left) ? left : eval(*n.kids[1], env);
  Value right = eval(*n.kids[1], env);
  if (op == "==") return Value::boolean(loose_equal(left, right));
  if (op == "!=") return Value::boolean(!loose_equal(left, right));
  if (left.is_undefined() || right.is_undefined()) {
    if (right.is_undefined() && (op == "in" || op == "not in")) return Value::boolean(op == "not in");
    throw RenderError("Cannot perform operation " + op + " on undefined values");
  }
  if (left.is_none() || right.is_none()) throw RenderError("Cannot perform operation on null values");
  if (op == "~") {
    charge(bytes(left.is_string() ? left.str().size() : 0) + bytes(right.is_string() ? right.str().size() : 0));
    std::string s = concat_text(left);
    std::string r = concat_text(right);
    check_size(s.size() + r.size());
    return Value::string(s + r);
  }
  if (op == "**" && numeric_like(left) && numeric_like(right)) {
    double a = left.number(), b = right.number();
    if (a == 0 && b < 0) throw RenderError("0.0 cannot be raised to a negative power");
    double r = std::pow(a, b);
    if (!std::isfinite(r)) throw RenderError("Exponentiation result is not a finite real number");
    return number_result(r, left.kind == Kind::floating || right.kind == Kind::floating || b < 0);
  }
  if (left.is_number() && right.is_number()) {
    bool is_float = left.kind == Kind::floating || right.kind == Kind::floating;
    double a = left.number(), b = right.number();
    if (op == "+" || op == "-" || op == "*") {
      if (!is_float) {
        Value r = Value::integer(checked(left.i, right.i, op[0]));
        r.neg_zero = r.i == 0 && std::signbit(op == "+" ? a + b : op == "-" ? a - b : a * b);
        return r;
      }
      return Value::floating(op == "+" ? a + b : op == "-" ? a - b : a * b);
    }
    if (op == "/") return Value::floating(a / b);
    if (op == "//") {
      // By zero the reference yields +-Infinity/NaN (JavaScript), so do we, as floats.
      if (!is_float && right.i != 0) return number_result(std::floor(a / b), false);
      return Value::floating(std::floor(a / b));
    }
    if (op == "%") {
      if (!is_float) {
        if (right.i == 0) return Value::floating(std::nan(""));
        Value r = Value::integer(right.i == -1 ? 0 : left.i % right.i);  // JavaScript's sign rule
        r.neg_zero = r.i == 0 && std::signbit(a);
        return r;
      }
      return Value::floating(std::fmod(a, b));
    }
    if (op == "<") return Value::boolean(a < b);
    if (op == ">") return Value::boolean(a > b);
    if (op == "<=") return Value::boolean(a <= b);
    if (op == ">=") return Value::boolean(a >= b);
  } else if (left.kind == Kind::list && right.kind == Kind::list) {
    if (op == "+") {
      check_items(left.list->size() + right.list->size());
      charge(left.list->size() + right.list->size());
      List all = *left.list;
      all.insert(all.end(), right.list->begin(), right.list->end());
      return Value::new_list(std::move(all));
    }
  } else if (right.kind == Kind::list) {
    charge(right.list->size());
    bool member = std::any_of(right.list->begin(), right.list->end(),
                              [&](const Value& x) { return strict_equal(x, left); });
    if (op == "in") return Value::boolean(member);
    if (op == "not in") return Value::boolean(!member);
  }
  if (left.is_string() || right.is_string())
    charge(bytes(left.is_string() ? left.str().size() : 0) + bytes(right.is_string() ? right.str().size() : 0));
  if ((left.is_string() || right.is_string()) && op == "+") {
    std::string s = concat_text(left);
    std::string r = concat_text(right);
    check_size(s.size() + r.size());
    return Value::string(s + r);
  }
  if (left.is_string() && right.is_string()) {
    bool has = right.str().find(left.str()) != std::string::npos;
    if (op == "in") return Value::boolean(has);
    if (op == "not in") return Value::boolean(!has);
  }
  if (left.is_string() && right.kind == Kind::dict) {
    bool has = right.dict->find(left.str()) != nullptr;
    if (op == "in") return Value::boolean(has);
    if (op == "not in") return Value::boolean(!has);
  }
  throw RenderError("Unknown operator \"" + op + "\" between " + type_name(left) + " and " + type_name(right));
}

Value Interp::eval_slice(const Value& object, const Node& slice, const EnvPtr& env) {
  if (object.kind != Kind::list && !object.is_string()) throw RenderError("Slice object must be an array or string");
  charge(object.kind == Kind::list ? object.list->size() : bytes(object.str().size()));
  Value parts[3];
  const char* names[3] = {"start", "stop", "step"};
  for (int i = 0; i < 3; ++i) {
    if (slice.kids[size_t(i)]) parts[i] = eval(*slice.kids[size_t(i)], env);
    if (parts[i].kind != Kind::integer && !parts[i].is_undefined())
      throw RenderError(std::string("Slice ") + names[i] + " must be numeric or undefined");
  }
  if (object.kind == Kind::list) {
    Value out = Value::new_list();
    for (size_t i : slice_indices(int64_t(object.list->size()), parts[0], parts[1], parts[2]))
      out.list->push_back((*object.list)[i]);
    return out;
  }
  auto cps = code_points(object.str());
  std::string out;
  for (size_t i : slice_indices(int64_t(cps.size()), parts[0], parts[1], parts[2])) out += cps[i];
  return Value::string(std::move(out));
}

Value Interp::eval_member(const Node& n, const EnvPtr& env) {
  Value object = eval(*n.kids[0], env);
  const Node& prop_node = *n.kids[1];
  Value prop;
  if (n.flag) {
    if (prop_node.kind == NodeKind::slice) return eval_slice(object, prop_node, env);
    prop = eval(prop_node, env);
  } else if (prop_node.kind == NodeKind::integer) {
    prop = Value::integer(prop_node.ival);
  } else {
    prop = Value::string(prop_node.str);
  }
  return member(object, prop);
}

Value Interp::member(const Value& object, const Value& prop) {
  if (object.is_attr_container()) {
    if (!prop.is_string()) throw RenderError(std::string("Cannot access property with non-string: got ") + type_name(prop));
    if (const Value* v = object.dict->find(prop.str())) return *v;
    return object.kind == Kind::dict ? dict_method(object, prop.str()) : Value{};
  }
  if (object.kind == Kind::list || object.is_string()) {
    if (prop.kind == Kind::integer) {
      if (object.kind == Kind::list) {
        int64_t len = int64_t(object.list->size());
        int64_t i = prop.i < 0 ? prop.i + len : prop.i;
        return i >= 0 && i < len ? (*object.list)[size_t(i)] : Value{};
      }
      charge(bytes(object.str().size()));
      auto cps = code_points(object.str());
      int64_t len = int64_t(cps.size());
      int64_t i = prop.i < 0 ? prop.i + len : prop.i;
      return i >= 0 && i < len ? Value::string(std::string(cps[size_t(i)])) : Value{};
    }
    if (prop.is_string()) {
      if (object.kind == Kind::list) return prop.str() == "length" ? Value::integer(int64_t(object.list->size())) : Value{};
      return string_method(object, prop.str());
    }
    throw RenderError(std::string("Cannot access property with non-string/non-number: got ") + type_name(prop));
  }
  if (!prop.is_string()) throw RenderError(std::string("Cannot access property with non-string: got ") + type_name(prop));
  return Value{};
}

}  // namespace hub::inference::chat
