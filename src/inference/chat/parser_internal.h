// Internal to inference/chat: the recursive-descent parser shared by parser.cpp
// (statements) and parse_expr.cpp (expressions). Not thread-safe; one per parse.
#pragma once

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "inference/chat/lexer.h"
#include "inference/chat/parser.h"

namespace hub::inference::chat::detail {

struct ParseError : std::runtime_error {
  size_t pos;
  ParseError(const std::string& m, size_t p) : std::runtime_error(m), pos(p) {}
};

const char* tok_name(Tok t);

struct Parser {
  const std::vector<Token>& t;
  size_t end_pos;
  size_t cur = 0;
  int depth = 0;

  struct Guard {
    Parser& p;
    explicit Guard(Parser& parser) : p(parser) {
      if (++p.depth > kMaxParseDepth) p.error("template nested too deeply");
    }
    ~Guard() { --p.depth; }
  };

  size_t here() const { return cur < t.size() ? t[cur].pos : end_pos; }
  [[noreturn]] void error(const std::string& m) const { throw ParseError(m, here()); }
  [[noreturn]] void eof(const std::string& what) const {
    throw ParseError("unexpected end of template" + (what.empty() ? "" : ", expected " + what), end_pos);
  }
  bool is(Tok a) const { return cur < t.size() && t[cur].type == a; }
  bool is_ident(std::string_view name, size_t ahead = 0) const {
    return cur + ahead < t.size() && t[cur + ahead].type == Tok::ident && t[cur + ahead].value == name;
  }
  bool is_statement(std::initializer_list<std::string_view> names) const {
    if (!(is(Tok::open_stmt) && cur + 1 < t.size() && t[cur + 1].type == Tok::ident)) return false;
    return std::find(names.begin(), names.end(), t[cur + 1].value) != names.end();
  }
  const Token& expect(Tok type, const std::string& what) {
    if (cur >= t.size()) eof(what);
    if (t[cur].type != type)
      error("Parser Error: " + what + ". " + tok_name(t[cur].type) + " !== " + tok_name(type) + ".");
    return t[cur++];
  }
  void expect_ident(std::string_view name) {
    if (!is_ident(name)) {
      if (cur >= t.size()) eof(std::string(name));
      error("Expected " + std::string(name));
    }
    ++cur;
  }
  NodePtr make(NodeKind k, size_t pos) { return std::make_unique<Node>(k, pos); }

  // Parses statements until one of `stops` opens; fails at the end of the template.
  Block block_until(std::initializer_list<std::string_view> stops, const std::string& what);
  NodePtr parse_any();
  void close_block(std::string_view name);
  NodePtr parse_statement();
  NodePtr parse_set(size_t pos);
  NodePtr parse_if(size_t pos);
  NodePtr parse_for(size_t pos);
  NodePtr parse_sequence(bool primary);
  NodePtr parse_expression();
  NodePtr binary(std::string op, size_t pos, NodePtr l, NodePtr r);
  NodePtr parse_or();
  NodePtr parse_and();
  NodePtr parse_not();
  NodePtr parse_comparison();
  NodePtr parse_additive();
  NodePtr parse_multiplicative();
  NodePtr parse_power();
  NodePtr parse_test();
  NodePtr parse_filter();
  NodePtr parse_unary_sign();
  NodePtr parse_call_member();
  NodePtr parse_call(NodePtr callee);
  std::vector<NodePtr> parse_args(bool parameters);
  NodePtr parse_subscript(size_t pos);
  NodePtr parse_member(NodePtr object);
  NodePtr parse_primary();
};

}  // namespace hub::inference::chat::detail
