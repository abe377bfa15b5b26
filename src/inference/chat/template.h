// Template: a parsed chat template (the Jinja subset that models ship in
// tokenizer_config.json), rendered like @huggingface/jinja / transformers do
// (trim_blocks and lstrip_blocks on). Parse once, render many times; a Template is
// immutable after parse and may be rendered from several threads at once.
//
// Errors: a malformed template is Errc::invalid_argument naming line and column; a render
// that fails (type error, unknown filter, raise_exception(msg)) is Errc::invalid_argument
// (detail "TemplateError"; a raise gives the template's message verbatim); a render that
// goes over RenderLimits is Errc::too_large. Nothing crashes or hangs on any input.
#pragma once

#include <boost/json.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace hub::inference::chat {

struct RenderLimits {
  size_t max_output_bytes = 16u << 20;  // also bounds every intermediate string
  size_t max_steps = 20'000'000;        // AST nodes evaluated, loop passes, items and bytes
                                        // (per 64) that list and string operations touch
  size_t max_items = 1'000'000;         // elements in one list built by the template
  size_t max_total_bytes = 256u << 20;  // all strings made during a render, garbage included
  int max_call_depth = 64;              // nested macro calls
};

class Template {
 public:
  static constexpr size_t kMaxSourceBytes = 1u << 20;

  static Result<Template> parse(std::string_view source);

  // `context` holds the template's variables (converted from JSON). `now` (seconds
  // since the epoch, local time as strftime_now uses) is fixed per call for tests;
  // 0 means the current time.
  Result<std::string> render(const boost::json::object& context, const RenderLimits& limits = {},
                             long long now = 0) const;

 private:
  struct Program;
  std::shared_ptr<const Program> program_;
};

}  // namespace hub::inference::chat
