#include "inference/pipelines/chat_completion.h"

#include <chrono>

#include "inference/chat/chat_template.h"
#include "inference/models/decoder.h"
#include "inference/models/model.h"
#include "inference/tokenizers/tokenizer.h"

namespace hub::inference::pipelines {

namespace json = boost::json;

namespace {

Error validation(std::string message) { return Error{Errc::invalid_argument, std::move(message), Detail::TgiValidation}; }
Error template_error(std::string message) {
  return Error{Errc::invalid_argument, "Template error: " + std::move(message), Detail::TgiTemplateError};
}

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Result<void> check_messages(const json::array& messages) {
  if (messages.empty()) return std::unexpected(validation("`messages` must not be empty"));
  for (const auto& m : messages) {
    const auto* o = m.if_object();
    if (!o) return std::unexpected(validation("each message must be an object with `role` and `content`"));
    const auto* role = o->if_contains("role");
    if (!role || !role->is_string()) return std::unexpected(validation("each message needs a string `role`"));
    const auto* content = o->if_contains("content");
    if (content && !content->is_string() && !content->is_array() && !content->is_null())
      return std::unexpected(validation("a message's `content` must be a string or a list of parts"));
  }
  return {};
}

Result<GenerationOutput> run(const CausalLM& lm, std::span<const int32_t> prompt, const GenerationParams& params,
                             const Generator& gen) {
  if (gen) return gen(prompt, params, {});
  return generate(lm, prompt, params);
}

}  // namespace

Result<std::vector<int32_t>> render_chat_prompt(const Model& model, const json::array& messages,
                                                const json::array* tools, std::string* text) {
  const CausalLM* lm = model.causal_lm();
  if (!lm) return fail(Errc::unsupported, "Model does not support chat: it is not a text-generation model");
  if (!lm->tokenizer()) return fail(Errc::unsupported, "Model does not support chat: it has no tokenizer.json");
  const chat::ChatTemplate* tmpl = model.chat_template();
  if (!tmpl) {
    const auto& why = model.chat_template_error();
    return std::unexpected(template_error(why.empty() || why.find("no chat template") != std::string::npos
                                              ? std::string("template not found")
                                              : why));
  }
  if (auto ok = check_messages(messages); !ok) return std::unexpected(ok.error());
  chat::ChatOptions opts;
  opts.add_generation_prompt = true;
  if (tools) opts.tools = *tools;
  auto prompt = chat::apply(*tmpl, messages, opts);
  if (!prompt) return std::unexpected(template_error(prompt.error().message));
  // The template already wrote BOS and the other special tokens: do not add them again.
  auto enc = lm->tokenizer()->encode(*prompt, false);
  if (!enc) return std::unexpected(enc.error());
  if (enc->ids.empty()) return std::unexpected(validation("the chat template rendered an empty prompt"));
  if (text) *text = std::move(*prompt);
  return std::move(enc->ids);
}

Result<ChatRequest> prepare_chat(const Model& model, const json::object& body) {
  const auto* messages = body.if_contains("messages");
  if (!messages || !messages->is_array())
    return std::unexpected(validation(
        "Failed to deserialize the JSON body into the target type: missing field `messages` (a list of messages)"));
  if (auto n = body.if_contains("n"); n && !n->is_null() && !(n->is_int64() && n->get_int64() == 1))
    return std::unexpected(validation("only n = 1 is supported"));
  if (auto lp = body.if_contains("logprobs"); lp && lp->is_bool() && lp->get_bool())
    return std::unexpected(validation("logprobs are not supported by this server"));
  for (const char* k : {"frequency_penalty", "presence_penalty"})
    if (auto v = body.if_contains(k); v && !v->is_null() && !(v->is_number() && v->to_number<double>() == 0))
      return std::unexpected(validation(std::string(k) + " is not supported by this server (use 0 or leave it out)"));
  if (const auto* rf = hub::json::get_object(body, "response_format"))
    if (hub::json::get_string(*rf, "type").value_or("text") != "text")
      return std::unexpected(validation("response_format other than text is not supported (no constrained decoding)"));
  const json::array* tools = hub::json::get_array(body, "tools");
  if (const auto* tc = body.if_contains("tool_choice"); tc && !tc->is_null()) {
    if (tc->is_string() && tc->get_string() == "none") tools = nullptr;
    else if (!(tc->is_string() && tc->get_string() == "auto"))
      return std::unexpected(validation("tool_choice must be \"auto\" or \"none\": forced tool calls are not supported"));
  }

  ChatRequest req;
  if (const auto* s = body.if_contains("stream"); s && !s->is_null()) {
    if (!s->is_bool()) return std::unexpected(validation("`stream` must be a boolean"));
    req.stream = s->get_bool();
  }
  if (const auto* so = hub::json::get_object(body, "stream_options"))
    req.include_usage = hub::json::get_bool(*so, "include_usage").value_or(false);

  HUB_TRY(prompt, render_chat_prompt(model, messages->get_array(), tools, &req.prompt_text));
  req.prompt = std::move(prompt);
  const CausalLM& lm = *model.causal_lm();
  const int64_t room = lm.config().max_positions - int64_t(req.prompt.size());

  // TGI's mapping of the OpenAI fields onto its generation parameters.
  json::object params;
  const json::value* max_tokens = body.if_contains("max_tokens");
  if (!max_tokens || max_tokens->is_null()) max_tokens = body.if_contains("max_completion_tokens");
  if (max_tokens && !max_tokens->is_null()) {
    params["max_new_tokens"] = *max_tokens;
  } else {
    if (room <= 0)
      return std::unexpected(validation("the prompt (" + std::to_string(req.prompt.size()) +
                                        " tokens) fills the model's context of " +
                                        std::to_string(lm.config().max_positions)));
    params["max_new_tokens"] = std::min(kDefaultChatMaxTokens, room);
  }
  if (const auto* t = body.if_contains("temperature"); t && !t->is_null()) {
    if (!t->is_number()) return std::unexpected(validation("`temperature` must be a number"));
    if (t->to_number<double>() != 0) params["temperature"] = *t;  // 0 means greedy
  }
  if (const auto* p = body.if_contains("top_p"); p && !p->is_null()) {
    if (!p->is_number()) return std::unexpected(validation("`top_p` must be a number"));
    if (p->to_number<double>() < 1) params["top_p"] = *p;  // 1 means off
  }
  if (const auto* s = body.if_contains("seed"); s && !s->is_null()) params["seed"] = *s;
  if (const auto* s = body.if_contains("stop"); s && !s->is_null()) {
    json::array stop = s->is_string() ? json::array{*s} : s->is_array() ? s->get_array() : json::array{};
    if (stop.empty() && !s->is_array()) return std::unexpected(validation("`stop` must be a string or a list of strings"));
    if (stop.size() > 4) return std::unexpected(validation("`stop` takes at most 4 sequences"));
    params["stop"] = std::move(stop);
  }
  auto gp = parse_generation_params(lm, &params, int64_t(req.prompt.size()));
  if (!gp) {
    auto e = gp.error();
    if (e.code == Errc::invalid_argument) e.detail = Detail::TgiValidation;
    return std::unexpected(e);
  }
  req.params = std::move(*gp);
  return req;
}

Result<std::string> reply_text(const CausalLM& lm, std::span<const int32_t> prompt, const GenerationOutput& out) {
  HUB_TRY(ts, TextStream::for_prompt(lm, std::vector<int32_t>(prompt.begin(), prompt.end()), {}));
  HUB_TRY(last, ts.finish(out));
  return std::string(last.at("generated_text").as_string());
}

std::string_view chat_finish_reason(std::string_view r) { return r == "length" ? "length" : "stop"; }

json::object chat_completion_json(std::string_view model_id, std::string_view content, std::string_view finish_reason,
                                  size_t prompt_tokens, size_t completion_tokens) {
  return {{"object", "chat.completion"},
          {"id", ""},
          {"created", now_seconds()},
          {"model", model_id},
          {"system_fingerprint", "hubd"},
          {"choices", json::array{json::object{{"index", 0},
                                               {"message", json::object{{"role", "assistant"}, {"content", content}}},
                                               {"logprobs", nullptr},
                                               {"finish_reason", finish_reason}}}},
          {"usage", json::object{{"prompt_tokens", prompt_tokens},
                                 {"completion_tokens", completion_tokens},
                                 {"total_tokens", prompt_tokens + completion_tokens}}}};
}

json::object chat_chunk_json(std::string_view model_id, std::string_view content,
                             std::optional<std::string_view> finish_reason) {
  json::value finish = nullptr;
  if (finish_reason) finish = json::string(*finish_reason);
  return {{"object", "chat.completion.chunk"},
          {"id", ""},
          {"created", now_seconds()},
          {"model", model_id},
          {"system_fingerprint", "hubd"},
          {"choices", json::array{json::object{{"index", 0},
                                               {"delta", json::object{{"role", "assistant"}, {"content", content}}},
                                               {"logprobs", nullptr},
                                               {"finish_reason", finish}}}},
          {"usage", nullptr}};
}

json::object chat_usage_chunk_json(std::string_view model_id, size_t prompt_tokens, size_t completion_tokens) {
  return {{"object", "chat.completion.chunk"},
          {"id", ""},
          {"created", now_seconds()},
          {"model", model_id},
          {"system_fingerprint", "hubd"},
          {"choices", json::array{}},
          {"usage", json::object{{"prompt_tokens", prompt_tokens},
                                 {"completion_tokens", completion_tokens},
                                 {"total_tokens", prompt_tokens + completion_tokens}}}};
}

bool is_chat_input(const json::value& inputs) {
  if (const auto* o = inputs.if_object()) {
    const auto* text = o->if_contains("text");
    return text && text->is_string();
  }
  const auto* a = inputs.if_array();
  if (!a || a->empty()) return false;
  for (const auto& m : *a) {
    const auto* o = m.if_object();
    if (!o || !o->contains("role")) return false;
  }
  return true;
}

Result<json::value> conversational(const Model& model, const json::value& inputs, const json::object* parameters,
                                   const Generator& gen) {
  const CausalLM* lm = model.causal_lm();
  if (!lm) return fail(Errc::unsupported, "the conversational task needs a text-generation model");
  json::array messages;
  const json::object* legacy = inputs.if_object();
  json::array past_inputs, past_replies;
  if (legacy) {
    // {"text", "past_user_inputs", "generated_responses"}: the turns interleaved, then the text.
    auto strings = [&](const char* key, json::array& out) -> Result<void> {
      const auto* v = legacy->if_contains(key);
      if (!v || v->is_null()) return {};
      if (!v->is_array()) return std::unexpected(validation(std::string("`") + key + "` must be a list of strings"));
      for (const auto& s : v->get_array()) {
        if (!s.is_string()) return std::unexpected(validation(std::string("`") + key + "` must be a list of strings"));
        out.push_back(s);
      }
      return {};
    };
    if (auto ok = strings("past_user_inputs", past_inputs); !ok) return std::unexpected(ok.error());
    if (auto ok = strings("generated_responses", past_replies); !ok) return std::unexpected(ok.error());
    const auto* text = legacy->if_contains("text");
    if (!text || !text->is_string()) return std::unexpected(validation("`inputs.text` must be a string"));
    for (size_t i = 0; i < past_inputs.size() || i < past_replies.size(); ++i) {
      if (i < past_inputs.size()) messages.push_back(json::object{{"role", "user"}, {"content", past_inputs[i]}});
      if (i < past_replies.size())
        messages.push_back(json::object{{"role", "assistant"}, {"content", past_replies[i]}});
    }
    messages.push_back(json::object{{"role", "user"}, {"content", *text}});
  } else if (const auto* a = inputs.if_array()) {
    messages = *a;
  } else {
    return std::unexpected(validation("conversational inputs are a list of messages or {\"text\", ...}"));
  }
  HUB_TRY(prompt, render_chat_prompt(model, messages, nullptr));
  // The legacy task's generation knobs that TGI does not take are dropped, not refused.
  json::object params;
  if (parameters)
    for (const auto& [k, v] : *parameters)
      if (k != "min_length" && k != "max_length" && k != "max_time") params[k] = v;
  auto gp = parse_generation_params(*lm, &params, int64_t(prompt.size()));
  if (!gp) return std::unexpected(gp.error());
  HUB_TRY(out, run(*lm, prompt, *gp, gen));
  HUB_TRY(reply, reply_text(*lm, prompt, out));
  if (legacy) {
    past_inputs.push_back(legacy->at("text"));
    past_replies.push_back(json::string(reply));
    return json::value(json::object{
        {"generated_text", reply},
        {"conversation",
         json::object{{"past_user_inputs", std::move(past_inputs)}, {"generated_responses", std::move(past_replies)}}}});
  }
  messages.push_back(json::object{{"role", "assistant"}, {"content", reply}});
  return json::value(json::array{json::object{{"generated_text", std::move(messages)}}});
}

}  // namespace hub::inference::pipelines
