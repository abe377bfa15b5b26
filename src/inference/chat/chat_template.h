// Chat templates of a model: the Jinja `chat_template` from tokenizer_config.json (a
// string, or a list of {name, template}) with the special tokens the template may print,
// and `apply`, which turns chat messages into the prompt string exactly as transformers /
// @huggingface/jinja render it. A ChatTemplate is immutable after loading and may be
// applied from several threads at once.
#pragma once

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/result.h"
#include "inference/chat/template.h"

namespace hub::inference::chat {

struct ChatTemplate {
  std::map<std::string, Template> templates;  // "default" for the plain-string form
  std::map<std::string, std::string> sources;
  // Special tokens as strings (AddedToken objects reduced to their "content"); rendered as
  // bos_token, eos_token, ... only when the config has them.
  std::map<std::string, std::string> special_tokens;
  std::optional<boost::json::array> additional_special_tokens;
};

// Reads `chat_template` and the special tokens from a parsed tokenizer_config.json.
// No chat_template: Errc::unsupported ("model has no chat template"); a malformed one:
// Errc::invalid_argument naming the template and the line/column.
Result<ChatTemplate> load_chat_template(const boost::json::object& tokenizer_config);

// From a model folder: tokenizer_config.json, with the template taken from
// chat_template.jinja or chat_template.json when present (newer transformers save it there).
Result<ChatTemplate> load_chat_template_dir(const std::filesystem::path& dir);

struct ChatOptions {
  bool add_generation_prompt = false;
  std::optional<boost::json::array> tools;      // passed as `tools` (none when absent)
  std::optional<boost::json::array> documents;  // passed as `documents` (none when absent)
  std::string template_name;                    // e.g. "tool_use"; empty: transformers' choice
  boost::json::object extra;                    // more variables; may override special tokens
  RenderLimits limits;
  long long now = 0;                            // strftime_now's clock; 0: the current time
};

// Which template `apply` uses: the named one (not_found if absent), else "tool_use" when
// tools are given and it exists, else "default" (invalid_argument when there is none).
Result<const Template*> select_template(const ChatTemplate& chat, const ChatOptions& options);

// messages: [{"role": ..., "content": ...}, ...] as the client sent them (content may be a
// string or a list of parts; tool_calls etc. pass through). Errors: see template.h;
// `messages`, `tools`, `documents`, `add_generation_prompt` in `extra` are invalid_argument.
Result<std::string> apply(const ChatTemplate& chat, const boost::json::array& messages, const ChatOptions& options);

}  // namespace hub::inference::chat
