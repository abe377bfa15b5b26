// Chat on a decoder model (INFERENCE_API.md "conversational / chat completion"): an
// OpenAI-style request's messages rendered with the model's chat template into a prompt
// (tokenized without adding special tokens again: the template writes BOS), its parameters
// mapped onto GenerationParams the way TGI maps them, and the response shapes: the
// `chat.completion` object, the `chat.completion.chunk` stream events, and the legacy
// `conversational` task. Pure functions over a loaded model: any thread.
//
// Errors carry the TGI error_type in Error::detail: "validation" (bad request fields, 422),
// "template_error" (no template, a template that fails or raises, 422).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "inference/pipelines/generation.h"

namespace hub::inference {
class Model;
class CausalLM;
}

namespace hub::inference::pipelines {

struct ChatRequest {
  std::vector<int32_t> prompt;   // token ids of the rendered template
  std::string prompt_text;       // the rendered template
  GenerationParams params;
  bool stream = false;
  bool include_usage = false;    // stream_options.include_usage
};

// max_tokens when the request has none (the OpenAI spec's 1024), capped to what the model's
// context has left after the prompt.
inline constexpr int64_t kDefaultChatMaxTokens = 1024;

// Validates a /v1/chat/completions body and renders its prompt.
Result<ChatRequest> prepare_chat(const Model& model, const boost::json::object& body);

// Renders `messages` (a JSON array of {role, content, ...}) with add_generation_prompt and
// tokenizes the result. Shared by prepare_chat and the conversational task.
Result<std::vector<int32_t>> render_chat_prompt(const Model& model, const boost::json::array& messages,
                                                const boost::json::array* tools, std::string* text = nullptr);

// The reply's text: the new tokens decoded after the prompt (as the stream hands them out, so a
// leading space a token carries in context is kept), EOS left out.
Result<std::string> reply_text(const CausalLM& lm, std::span<const int32_t> prompt, const GenerationOutput& out);

// "stop" for EOS / stop sequences, "length" when max_tokens ended it.
std::string_view chat_finish_reason(std::string_view generation_finish_reason);

// {"object":"chat.completion","id","created","model","system_fingerprint","choices":[{"index":0,
// "message":{"role":"assistant","content"},"logprobs":null,"finish_reason"}],"usage"}.
boost::json::object chat_completion_json(std::string_view model_id, std::string_view content,
                                         std::string_view finish_reason, size_t prompt_tokens,
                                         size_t completion_tokens);

// One stream event's object: delta {"role":"assistant","content"} (content may be empty),
// finish_reason null until the last chunk; usage null (or the usage chunk's totals).
boost::json::object chat_chunk_json(std::string_view model_id, std::string_view content,
                                    std::optional<std::string_view> finish_reason);
boost::json::object chat_usage_chunk_json(std::string_view model_id, size_t prompt_tokens,
                                          size_t completion_tokens);

// The `conversational` task on POST /models/{id} (a decoder with a chat template):
// inputs = the legacy {"text","past_user_inputs","generated_responses"} → {"generated_text",
// "conversation":{...},"warnings"}; or a list of messages → [{"generated_text": messages +
// the assistant's reply}] as transformers' text-generation pipeline answers chat input.
// parameters: the TGI ones (max_new_tokens, temperature, ...).
Result<boost::json::value> conversational(const Model& model, const boost::json::value& inputs,
                                          const boost::json::object* parameters, const Generator& gen = {});

// Whether text-generation inputs are chat input (a non-empty list of {role, content} objects,
// or the legacy conversational object): such inputs go to conversational().
bool is_chat_input(const boost::json::value& inputs);

}  // namespace hub::inference::pipelines
