// Lexer of the chat-template Jinja subset. Mirrors @huggingface/jinja's tokenizer: the
// source is first preprocessed as transformers renders (trailing newline dropped,
// lstrip_blocks, trim_blocks, the transformers-only {% generation %} tag removed), then
// split into text and tag tokens with `-` whitespace control applied. Each token keeps
// its byte offset in the ORIGINAL source so errors can name a line and column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace hub::inference::chat {

enum class Tok : uint8_t {
  text, number, string, ident, equals, lparen, rparen, open_stmt, close_stmt, open_expr,
  close_expr, lbracket, rbracket, lbrace, rbrace, comma, dot, colon, pipe, additive,
  multiplicative, power, comparison, unary, comment,
};

struct Token {
  Tok type;
  std::string value;
  size_t pos = 0;  // byte offset in the original template
};

// "line L, column C" of a byte offset (1-based, columns in bytes).
std::string describe_position(std::string_view source, size_t pos);

// Errors are Errc::invalid_argument with the position in the message.
Result<std::vector<Token>> tokenize(std::string_view source);

}  // namespace hub::inference::chat
