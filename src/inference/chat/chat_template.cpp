#include "inference/chat/chat_template.h"

#include "core/fs.h"
#include "core/json.h"

namespace hub::inference::chat {
namespace {

constexpr const char* kSpecialTokens[] = {"bos_token", "eos_token", "unk_token", "sep_token",
                                          "pad_token", "cls_token", "mask_token"};

// A special token is a string or an AddedToken object {"content": "..."}.
std::optional<std::string> token_text(const boost::json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_object())
    if (auto c = json::get_string(v.get_object(), "content")) return std::string(*c);
  return std::nullopt;
}

Result<void> add_template(ChatTemplate& out, const std::string& name, std::string_view source) {
  auto t = Template::parse(source);
  if (!t) {
    return fail(t.error().code, "chat template '" + name + "': " + t.error().message, t.error().detail);
  }
  out.templates.insert_or_assign(name, std::move(*t));
  out.sources.insert_or_assign(name, std::string(source));
  return {};
}

Result<void> read_templates(ChatTemplate& out, const boost::json::value& v) {
  if (v.is_string()) return add_template(out, "default", v.get_string());
  if (!v.is_array()) return fail(Errc::invalid_argument, "chat_template must be a string or a list of {name, template}");
  for (const auto& entry : v.get_array()) {
    const auto* o = entry.if_object();
    auto name = o ? json::get_string(*o, "name") : std::nullopt;
    auto source = o ? json::get_string(*o, "template") : std::nullopt;
    if (!name || !source) return fail(Errc::invalid_argument, "chat_template list entries need string name and template");
    if (auto st = add_template(out, std::string(*name), *source); !st) return st;
  }
  return {};
}

}  // namespace

Result<ChatTemplate> load_chat_template(const boost::json::object& config) {
  ChatTemplate out;
  const auto* tmpl = json::find(config, "chat_template");
  if (!tmpl || tmpl->is_null())
    return fail(Errc::unsupported, "this model has no chat template (tokenizer_config.json has no chat_template)");
  if (auto st = read_templates(out, *tmpl); !st) return std::unexpected(st.error());
  for (const char* key : kSpecialTokens)
    if (const auto* v = json::find(config, key))
      if (auto text = token_text(*v)) out.special_tokens[key] = *text;
  if (const auto* extra = json::get_array(config, "additional_special_tokens")) {
    boost::json::array tokens;
    for (const auto& v : *extra)
      if (auto text = token_text(v)) tokens.emplace_back(*text);
    out.additional_special_tokens = std::move(tokens);
  }
  return out;
}

Result<ChatTemplate> load_chat_template_dir(const std::filesystem::path& dir) {
  boost::json::object config;
  if (auto text = fs::read_file((dir / "tokenizer_config.json").string())) {
    auto parsed = json::parse(*text);
    if (!parsed || !parsed->is_object())
      return fail(Errc::invalid_argument, "tokenizer_config.json is not a JSON object");
    config = std::move(parsed->get_object());
  }
  if (auto jinja = fs::read_file((dir / "chat_template.jinja").string())) {
    config["chat_template"] = *jinja;
  } else if (auto text = fs::read_file((dir / "chat_template.json").string())) {
    auto parsed = json::parse(*text);
    const auto* t = parsed && parsed->is_object() ? json::find(parsed->get_object(), "chat_template") : nullptr;
    if (!t) return fail(Errc::invalid_argument, "chat_template.json has no chat_template");
    config["chat_template"] = *t;
  }
  return load_chat_template(config);
}

Result<const Template*> select_template(const ChatTemplate& chat, const ChatOptions& options) {
  if (!options.template_name.empty()) {
    auto it = chat.templates.find(options.template_name);
    if (it == chat.templates.end())
      return fail(Errc::not_found, "this model has no chat template named '" + options.template_name + "'");
    return &it->second;
  }
  if (options.tools)
    if (auto it = chat.templates.find("tool_use"); it != chat.templates.end()) return &it->second;
  if (auto it = chat.templates.find("default"); it != chat.templates.end()) return &it->second;
  if (chat.templates.empty()) return fail(Errc::unsupported, "this model has no chat template");
  return fail(Errc::invalid_argument, "this model has several chat templates and none named 'default'");
}

Result<std::string> apply(const ChatTemplate& chat, const boost::json::array& messages, const ChatOptions& options) {
  auto tmpl = select_template(chat, options);
  if (!tmpl) return std::unexpected(tmpl.error());
  boost::json::object context;
  for (const auto& [key, text] : chat.special_tokens) context[key] = text;
  if (chat.additional_special_tokens) context["additional_special_tokens"] = *chat.additional_special_tokens;
  for (const auto& [key, value] : options.extra) {
    if (key == "messages" || key == "tools" || key == "documents" || key == "add_generation_prompt")
      return fail(Errc::invalid_argument, "chat template variable '" + std::string(key) + "' cannot be overridden");
    context[key] = value;
  }
  context["messages"] = messages;
  context["add_generation_prompt"] = options.add_generation_prompt;
  context["tools"] = options.tools ? boost::json::value(*options.tools) : boost::json::value(nullptr);
  context["documents"] = options.documents ? boost::json::value(*options.documents) : boost::json::value(nullptr);
  return (*tmpl)->render(context, options.limits, options.now);
}

}  // namespace hub::inference::chat
