// Parser of the chat-template Jinja subset: tokens -> AST, by recursive descent with the
// operator precedence of @huggingface/jinja. Nesting is bounded (kMaxParseDepth) so a
// hostile template cannot overflow the stack; every failure is an Errc::invalid_argument
// naming the line and column.
#pragma once

#include <string_view>

#include "core/result.h"
#include "inference/chat/ast.h"

namespace hub::inference::chat {

inline constexpr int kMaxParseDepth = 200;

Result<Block> parse_template(std::string_view source);

}  // namespace hub::inference::chat
