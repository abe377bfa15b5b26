// Fuzz target: inference/chat, the Jinja-subset chat template parser and renderer. Templates
// come from a repo's tokenizer_config.json, so any pusher chooses them and any anonymous caller
// renders them. Input: the template source, optionally followed by a NUL byte and a JSON array
// of messages (a fixed conversation otherwise). Rendering runs under small limits, so the
// limits themselves are exercised; over-limit is an error, never a hang or a crash.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.h"
#include "inference/chat/chat_template.h"
#include "inference/chat/template.h"

namespace chat = hub::inference::chat;
namespace bj = boost::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nul = in.find('\0');
  std::string_view source = in.substr(0, nul);

  bj::array messages;
  if (nul != std::string_view::npos)
    if (auto v = hub::json::parse(in.substr(nul + 1), 16); v && v->is_array()) messages = v->as_array();
  if (messages.empty()) {
    messages.push_back(bj::object{{"role", "system"}, {"content", "Be brief."}});
    messages.push_back(bj::object{{"role", "user"}, {"content", "Hi <b>there</b>"}});
    messages.push_back(bj::object{{"role", "assistant"}, {"content", bj::array{bj::object{{"type", "text"}, {"text", "Hello"}}}}});
  }

  chat::RenderLimits limits;
  limits.max_output_bytes = 64 << 10;
  limits.max_steps = 200'000;
  limits.max_items = 10'000;
  limits.max_total_bytes = 4 << 20;
  limits.max_call_depth = 16;

  auto t = chat::Template::parse(source);
  if (!t) return 0;
  (void)t->render(bj::object{{"messages", messages}, {"bos_token", "<s>"}, {"add_generation_prompt", true}}, limits, 1);

  // The same template through tokenizer_config.json, as the chat-completion route uses it.
  bj::object config{{"chat_template", bj::string(source)},
                    {"bos_token", "<s>"},
                    {"eos_token", bj::object{{"content", "</s>"}}},
                    {"additional_special_tokens", bj::array{"<tool>"}}};
  if (auto c = chat::load_chat_template(config)) {
    chat::ChatOptions opts;
    opts.add_generation_prompt = size % 2;
    opts.limits = limits;
    opts.now = 1;
    if (size % 3 == 0) opts.tools = bj::array{bj::object{{"type", "function"}, {"function", bj::object{{"name", "f"}}}}};
    (void)chat::apply(*c, messages, opts);
  }
  return 0;
}
