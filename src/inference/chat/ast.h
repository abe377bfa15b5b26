// AST of a parsed chat template: one Node struct tagged by kind (the set mirrors
// @huggingface/jinja's). Immutable after parsing, so a parsed template may be rendered
// from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hub::inference::chat {

enum class NodeKind : uint8_t {
  // statements
  text, comment, if_, for_, set, macro, call_stmt, filter_stmt, break_, continue_,
  // expressions
  integer, floating, string, identifier, array, tuple, object, binary, unary, member,
  slice, call, filter, test, select, ternary, kwarg, spread, kwspread,
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Block = std::vector<NodePtr>;

struct Node {
  NodeKind kind;
  size_t pos = 0;       // byte offset in the template source, for error messages
  std::string str;      // text, identifier/name, operator, filter or test name, kwarg key
  int64_t ival = 0;     // integer literal; filter: 1 when malformed (fails at render)
  double fval = 0;
  bool flag = false;    // member: computed; test: negated; filter: has call arguments
  std::vector<NodePtr> kids;  // operands; for object literals key,value,key,value...
  std::vector<NodePtr> args;  // call/filter/test arguments, macro/caller parameters
  Block body, alt;            // if/for/set/macro/call/filter blocks; else blocks

  Node(NodeKind k, size_t p) : kind(k), pos(p) {}
};

}  // namespace hub::inference::chat
