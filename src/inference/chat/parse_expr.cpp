// Expressions of the template parser, by precedence: ternary/select, or, and, not,
// comparison/membership, additive, multiplicative, power, tests, filters, unary sign,
// calls and members, primaries.
#include <charconv>
#include <set>

#include "inference/chat/parser_internal.h"

namespace hub::inference::chat::detail {

NodePtr Parser::parse_sequence(bool primary) {
  size_t pos = here();
  auto first = primary ? parse_primary() : parse_expression();
  if (!is(Tok::comma)) return first;
  auto tup = make(NodeKind::tuple, pos);
  tup->kids.push_back(std::move(first));
  while (is(Tok::comma)) {
    ++cur;
    tup->kids.push_back(primary ? parse_primary() : parse_expression());
  }
  return tup;
}

NodePtr Parser::parse_expression() {
  Guard g(*this);
  auto a = parse_or();
  if (is_ident("if")) {
    size_t pos = t[cur].pos;
    ++cur;
    auto test = parse_or();
    if (is_ident("else")) {
      ++cur;
      auto n = make(NodeKind::ternary, pos);
      n->kids.push_back(std::move(test));
      n->kids.push_back(std::move(a));
      n->kids.push_back(parse_expression());
      return n;
    }
    auto n = make(NodeKind::select, pos);
    n->kids.push_back(std::move(a));
    n->kids.push_back(std::move(test));
    return n;
  }
  return a;
}

NodePtr Parser::binary(std::string op, size_t pos, NodePtr l, NodePtr r) {
  auto n = make(NodeKind::binary, pos);
  n->str = std::move(op);
  n->kids.push_back(std::move(l));
  n->kids.push_back(std::move(r));
  return n;
}

NodePtr Parser::parse_or() {
  auto left = parse_and();
  while (is_ident("or")) {
    size_t pos = t[cur++].pos;
    left = binary("or", pos, std::move(left), parse_and());
  }
  return left;
}

NodePtr Parser::parse_and() {
  auto left = parse_not();
  while (is_ident("and")) {
    size_t pos = t[cur++].pos;
    left = binary("and", pos, std::move(left), parse_not());
  }
  return left;
}

NodePtr Parser::parse_not() {
  // A loop, as in the reference: `not a not b` parses, as `not b`.
  NodePtr result;
  while (is_ident("not")) {
    Guard g(*this);
    auto n = make(NodeKind::unary, t[cur].pos);
    ++cur;
    n->str = "not";
    n->kids.push_back(parse_not());
    result = std::move(n);
  }
  return result ? std::move(result) : parse_comparison();
}

NodePtr Parser::parse_comparison() {
  auto left = parse_additive();
  while (true) {
    std::string op;
    size_t pos = here();
    if (is_ident("not") && is_ident("in", 1)) {
      op = "not in";
      cur += 2;
    } else if (is_ident("in") || is(Tok::comparison)) {
      op = t[cur++].value;
    } else {
      break;
    }
    left = binary(op, pos, std::move(left), parse_additive());
  }
  return left;
}

NodePtr Parser::parse_additive() {
  auto left = parse_multiplicative();
  while (is(Tok::additive)) {
    size_t pos = t[cur].pos;
    std::string op = t[cur++].value;
    left = binary(op, pos, std::move(left), parse_multiplicative());
  }
  return left;
}

NodePtr Parser::parse_multiplicative() {
  auto left = parse_power();
  while (is(Tok::multiplicative)) {
    size_t pos = t[cur].pos;
    std::string op = t[cur++].value;
    left = binary(op, pos, std::move(left), parse_power());
  }
  return left;
}

NodePtr Parser::parse_power() {
  auto left = parse_test();
  while (is(Tok::power)) {
    size_t pos = t[cur++].pos;
    left = binary("**", pos, std::move(left), parse_test());
  }
  return left;
}

NodePtr Parser::parse_test() {
  auto operand = parse_filter();
  while (is_ident("is")) {
    auto n = make(NodeKind::test, t[cur].pos);
    ++cur;
    if (is_ident("not")) {
      n->flag = true;
      ++cur;
    }
    auto name = parse_primary();
    if (name->kind != NodeKind::identifier) error("Expected identifier for the test");
    n->str = name->str;
    // Beyond the reference: arguments, `divisibleby(3)`, or one literal, `sameas none`.
    if (is(Tok::lparen)) {
      n->args = parse_args(false);
    } else if (is(Tok::number) || is(Tok::string) || is_ident("none") || is_ident("None") ||
               is_ident("true") || is_ident("false") || is_ident("True") || is_ident("False")) {
      n->args.push_back(parse_primary());
    }
    n->kids.push_back(std::move(operand));
    operand = std::move(n);
  }
  return operand;
}

NodePtr Parser::parse_filter() {
  auto operand = parse_unary_sign();
  while (is(Tok::pipe)) {
    auto n = make(NodeKind::filter, t[cur].pos);
    ++cur;
    auto name = parse_primary();
    if (name->kind != NodeKind::identifier) error("Expected identifier for the filter");
    n->str = name->str;
    if (is(Tok::lparen)) {
      n->flag = true;
      n->args = parse_args(false);
      // The reference parses `x|f(a).b` / `x|f(a)(b)` and fails only when it runs; so do we.
      if (is(Tok::dot) || is(Tok::lbracket) || is(Tok::lparen)) {
        auto rest = parse_member(make(NodeKind::identifier, here()));
        if (is(Tok::lparen)) rest = parse_call(std::move(rest));
        n->ival = 1;  // not a filter: an error at render time
      }
    }
    n->kids.push_back(std::move(operand));
    operand = std::move(n);
  }
  return operand;
}

NodePtr Parser::parse_unary_sign() {
  if (cur < t.size() && (t[cur].type == Tok::unary || t[cur].type == Tok::additive) &&
      (t[cur].value == "-" || t[cur].value == "+")) {
    Guard g(*this);
    auto n = make(NodeKind::unary, t[cur].pos);
    n->str = t[cur++].value;
    n->kids.push_back(parse_unary_sign());
    return n;
  }
  return parse_call_member();
}

NodePtr Parser::parse_call_member() {
  auto member = parse_member(parse_primary());
  if (is(Tok::lparen)) return parse_call(std::move(member));
  return member;
}

NodePtr Parser::parse_call(NodePtr callee) {
  Guard g(*this);
  auto n = make(NodeKind::call, callee->pos);
  n->args = parse_args(false);
  n->kids.push_back(std::move(callee));
  auto expr = parse_member(std::move(n));
  if (is(Tok::lparen)) return parse_call(std::move(expr));
  return expr;
}

std::vector<NodePtr> Parser::parse_args(bool parameters) {
  expect(Tok::lparen, "Expected opening parenthesis for arguments list");
  std::vector<NodePtr> args;
  std::set<std::string> names;
  bool saw_keyword = false, saw_spread = false;
  while (!is(Tok::rparen)) {
    if (cur >= t.size()) eof(")");
    bool kw_spread = is(Tok::power);
    bool spread = is(Tok::multiplicative) && t[cur].value == "*";
    if (parameters && (kw_spread || spread)) error("Argument unpacking is not allowed in parameter declarations");
    if (kw_spread) {
      auto n = make(NodeKind::kwspread, t[cur++].pos);
      n->kids.push_back(parse_expression());
      args.push_back(std::move(n));
      if (is(Tok::comma)) ++cur;
      if (!is(Tok::rparen)) error("Expected closing parenthesis: `**` must be applied to the final argument");
      break;
    }
    NodePtr arg;
    if (spread) {
      if (saw_spread) error("Only one `*` argument unpacking is allowed");
      saw_spread = true;
      arg = make(NodeKind::spread, t[cur++].pos);
      arg->kids.push_back(parse_expression());
    } else {
      arg = parse_expression();
      if (is(Tok::equals)) {
        ++cur;
        if (arg->kind != NodeKind::identifier)
          error(parameters ? "Expected identifier for parameter declaration" : "Expected identifier for keyword argument");
        auto kw = make(NodeKind::kwarg, arg->pos);
        kw->str = arg->str;
        kw->kids.push_back(parse_expression());
        arg = std::move(kw);
      }
      if (parameters) {
        if (arg->kind != NodeKind::identifier && arg->kind != NodeKind::kwarg)
          error("Expected identifier for parameter declaration");
        if (!names.insert(arg->str).second) error("Duplicate parameter name: " + arg->str);
      }
      if (arg->kind == NodeKind::kwarg) {
        saw_keyword = true;
      } else if (saw_keyword) {
        error(parameters ? "Non-default argument follows default argument"
                         : "Positional arguments must come before keyword arguments");
      } else if (saw_spread) {
        error("Positional arguments must not follow `*` argument unpacking");
      }
    }
    args.push_back(std::move(arg));
    if (is(Tok::comma)) ++cur;
  }
  expect(Tok::rparen, "Expected closing parenthesis for arguments list");
  return args;
}

NodePtr Parser::parse_subscript(size_t pos) {
  std::vector<NodePtr> parts;
  bool slice = false;
  while (!is(Tok::rbracket)) {
    if (cur >= t.size()) eof("]");
    if (is(Tok::colon)) {
      parts.push_back(nullptr);
      ++cur;
      slice = true;
    } else {
      parts.push_back(parse_expression());
      if (is(Tok::colon)) {
        ++cur;
        slice = true;
      }
    }
  }
  if (parts.empty()) error("Expected at least one argument for member/slice expression");
  if (!slice) return std::move(parts[0]);
  if (parts.size() > 3) error("Expected 0-3 arguments for slice expression");
  auto n = make(NodeKind::slice, pos);
  parts.resize(3);
  n->kids = std::move(parts);
  return n;
}

NodePtr Parser::parse_member(NodePtr object) {
  while (is(Tok::dot) || is(Tok::lbracket)) {
    Guard g(*this);
    bool computed = is(Tok::lbracket);
    auto n = make(NodeKind::member, t[cur].pos);
    ++cur;
    NodePtr prop;
    if (computed) {
      prop = parse_subscript(n->pos);
      expect(Tok::rbracket, "Expected closing square bracket");
    } else {
      prop = parse_primary();
      if (prop->kind != NodeKind::identifier && prop->kind != NodeKind::integer)
        error("Expected identifier or integer following dot operator");
    }
    n->flag = computed;
    n->kids.push_back(std::move(object));
    n->kids.push_back(std::move(prop));
    object = std::move(n);
  }
  return object;
}

NodePtr Parser::parse_primary() {
  Guard g(*this);
  if (cur >= t.size()) eof("an expression");
  const Token& tok = t[cur++];
  switch (tok.type) {
    case Tok::number: {
      if (tok.value.find('.') != std::string::npos) {
        auto n = make(NodeKind::floating, tok.pos);
        n->fval = std::stod(tok.value);
        return n;
      }
      auto n = make(NodeKind::integer, tok.pos);
    n->flag = tok.value[0] == '-';  // -0 stays negative zero, as in JavaScript
      auto [p, ec] = std::from_chars(tok.value.data(), tok.value.data() + tok.value.size(), n->ival);
      if (ec != std::errc()) {
        --cur;
        error("Integer literal out of range: " + tok.value);
      }
      return n;
    }
    case Tok::string: {
      auto n = make(NodeKind::string, tok.pos);
      n->str = tok.value;
      while (is(Tok::string)) n->str += t[cur++].value;
      return n;
    }
    case Tok::ident: {
      auto n = make(NodeKind::identifier, tok.pos);
      n->str = tok.value;
      return n;
    }
    case Tok::lparen: {
      auto e = parse_sequence(false);
      expect(Tok::rparen, "Expected closing parenthesis");
      return e;
    }
    case Tok::lbracket: {
      auto n = make(NodeKind::array, tok.pos);
      while (!is(Tok::rbracket)) {
        if (cur >= t.size()) eof("]");
        n->kids.push_back(parse_expression());
        if (is(Tok::comma)) ++cur;
      }
      ++cur;
      return n;
    }
    case Tok::lbrace: {
      auto n = make(NodeKind::object, tok.pos);
      while (!is(Tok::rbrace)) {
        if (cur >= t.size()) eof("}");
        n->kids.push_back(parse_expression());
        expect(Tok::colon, "Expected colon between key and value in object literal");
        n->kids.push_back(parse_expression());
        if (is(Tok::comma)) ++cur;
      }
      ++cur;
      return n;
    }
    default:
      --cur;
      error(std::string("Unexpected token: ") + tok_name(tok.type));
  }
}

}  // namespace hub::inference::chat::detail
