#include "inference/chat/parser.h"

#include <algorithm>

#include "inference/chat/parser_internal.h"

namespace hub::inference::chat {
namespace detail {

const char* tok_name(Tok t) {
  static const char* names[] = {
      "Text", "NumericLiteral", "StringLiteral", "Identifier", "Equals", "OpenParen",
      "CloseParen", "OpenStatement", "CloseStatement", "OpenExpression", "CloseExpression",
      "OpenSquareBracket", "CloseSquareBracket", "OpenCurlyBracket", "CloseCurlyBracket",
      "Comma", "Dot", "Colon", "Pipe", "AdditiveBinaryOperator", "MultiplicativeBinaryOperator",
      "ExponentiationBinaryOperator", "ComparisonBinaryOperator", "UnaryOperator", "Comment"};
  return names[size_t(t)];
}

Block Parser::block_until(std::initializer_list<std::string_view> stops, const std::string& what) {
  Block out;
  while (!is_statement(stops)) {
    if (cur >= t.size()) eof(what);
    out.push_back(parse_any());
  }
  return out;
}

NodePtr Parser::parse_any() {
  Guard g(*this);
  const Token& tok = t[cur];
  switch (tok.type) {
    case Tok::comment: {
      ++cur;
      return make(NodeKind::comment, tok.pos);
    }
    case Tok::text: {
      auto n = make(NodeKind::text, tok.pos);
      n->str = tok.value;
      ++cur;
      return n;
    }
    case Tok::open_stmt: return parse_statement();
    case Tok::open_expr: {
      ++cur;
      auto e = parse_expression();
      expect(Tok::close_expr, "Expected closing expression token");
      return e;
    }
    default: error(std::string("Unexpected token type: ") + tok_name(tok.type));
  }
}

void Parser::close_block(std::string_view name) {
  expect(Tok::open_stmt, "Expected {% token");
  expect_ident(name);
  expect(Tok::close_stmt, "Expected %} token");
}

NodePtr Parser::parse_statement() {
  size_t pos = t[cur].pos;
  expect(Tok::open_stmt, "Expected opening statement token");
  if (cur >= t.size()) eof("a statement name");
  if (t[cur].type != Tok::ident) error(std::string("Unknown statement, got ") + tok_name(t[cur].type));
  std::string name = t[cur].value;
  ++cur;
  if (name == "set") return parse_set(pos);
  if (name == "if") {
    auto n = parse_if(pos);
    close_block("endif");
    return n;
  }
  if (name == "macro") {
    auto n = make(NodeKind::macro, pos);
    auto id = parse_primary();
    if (id->kind != NodeKind::identifier) error("Expected identifier following macro statement");
    n->str = id->str;
    n->args = parse_args(true);
    expect(Tok::close_stmt, "Expected closing statement token");
    n->body = block_until({"endmacro"}, "{% endmacro %}");
    close_block("endmacro");
    return n;
  }
  if (name == "for") {
    auto n = parse_for(pos);
    close_block("endfor");
    return n;
  }
  if (name == "call") {
    auto n = make(NodeKind::call_stmt, pos);
    if (is(Tok::lparen)) n->args = parse_args(true);
    auto callee = parse_primary();
    if (callee->kind != NodeKind::identifier) error("Expected identifier following call statement");
    auto call = make(NodeKind::call, callee->pos);
    call->args = parse_args(false);
    call->kids.push_back(std::move(callee));
    n->kids.push_back(std::move(call));
    expect(Tok::close_stmt, "Expected closing statement token");
    n->body = block_until({"endcall"}, "{% endcall %}");
    close_block("endcall");
    return n;
  }
  if (name == "break" || name == "continue") {
    expect(Tok::close_stmt, "Expected closing statement token");
    return make(name == "break" ? NodeKind::break_ : NodeKind::continue_, pos);
  }
  if (name == "filter") {
    auto n = make(NodeKind::filter_stmt, pos);
    auto f = parse_primary();
    if (f->kind != NodeKind::identifier) error("Expected identifier for the filter");
    n->str = f->str;
    if (is(Tok::lparen)) {
      n->flag = true;
      n->args = parse_args(false);
    }
    expect(Tok::close_stmt, "Expected closing statement token");
    n->body = block_until({"endfilter"}, "{% endfilter %}");
    close_block("endfilter");
    return n;
  }
  --cur;
  error("Unknown statement type: " + name);
}

NodePtr Parser::parse_set(size_t pos) {
  auto n = make(NodeKind::set, pos);
  n->kids.push_back(parse_sequence(false));
  if (is(Tok::equals)) {
    ++cur;
    n->kids.push_back(parse_sequence(false));
  } else {
    n->kids.push_back(nullptr);
    expect(Tok::close_stmt, "Expected %} token");
    n->body = block_until({"endset"}, "{% endset %}");
    expect(Tok::open_stmt, "Expected {% token");
    expect_ident("endset");
  }
  expect(Tok::close_stmt, "Expected closing statement token");
  return n;
}

NodePtr Parser::parse_if(size_t pos) {
  Guard g(*this);
  auto n = make(NodeKind::if_, pos);
  n->kids.push_back(parse_expression());
  expect(Tok::close_stmt, "Expected closing statement token");
  n->body = block_until({"elif", "else", "endif"}, "{% endif %}");
  if (is_statement({"elif"})) {
    size_t p = t[cur].pos;
    cur += 2;
    n->alt.push_back(parse_if(p));
  } else if (is_statement({"else"})) {
    cur += 2;
    expect(Tok::close_stmt, "Expected closing statement token");
    n->alt = block_until({"endif"}, "{% endif %}");
  }
  return n;
}

NodePtr Parser::parse_for(size_t pos) {
  auto n = make(NodeKind::for_, pos);
  auto var = parse_sequence(true);
  if (var->kind != NodeKind::identifier && var->kind != NodeKind::tuple)
    error("Expected identifier/tuple for the loop variable");
  if (!is_ident("in")) error("Expected `in` keyword following loop variable");
  ++cur;
  n->kids.push_back(std::move(var));
  n->kids.push_back(parse_expression());
  expect(Tok::close_stmt, "Expected closing statement token");
  n->body = block_until({"endfor", "else"}, "{% endfor %}");
  if (is_statement({"else"})) {
    cur += 2;
    expect(Tok::close_stmt, "Expected closing statement token");
    n->alt = block_until({"endfor"}, "{% endfor %}");
  }
  return n;
}

}  // namespace detail

Result<Block> parse_template(std::string_view source) {
  auto tokens = tokenize(source);
  if (!tokens) return std::unexpected(tokens.error());
  detail::Parser p{*tokens, source.size()};
  Block program;
  try {
    while (p.cur < tokens->size()) program.push_back(p.parse_any());
  } catch (const detail::ParseError& e) {
    return fail(Errc::invalid_argument,
                "template syntax error at " + describe_position(source, e.pos) + ": " + e.what());
  }
  return program;
}

}  // namespace hub::inference::chat
