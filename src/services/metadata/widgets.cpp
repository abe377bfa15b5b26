#include "services/metadata/widgets.h"

#include <iterator>

namespace hub::services::metadata {
namespace {

struct DefaultWidgetRow {
  std::string_view language;
  std::string_view task;
  std::string_view inputs;  // JSON array: strings or objects
};

constexpr DefaultWidgetRow kDefaultWidgets[] = {
#include "services/metadata/generated/default_widget_rows.inc"
};

const DefaultWidgetRow* find_row(std::string_view language, std::string_view task) {
  for (const auto& r : kDefaultWidgets)
    if (r.language == language && r.task == task) return &r;
  return nullptr;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

}  // namespace

json::array default_widget_inputs(std::string_view task, bool conversational, std::span<const std::string> languages) {
  bool chat = conversational && (task == "text-generation" || task == "image-text-to-text");
  std::string_view key = chat ? std::string_view("conversational") : task;
  const DefaultWidgetRow* row = nullptr;
  for (const auto& l : languages)
    if ((row = find_row(l, key))) break;
  if (!row) row = find_row("en", key);
  if (!row) return {};
  auto parsed = json::parse(row->inputs);
  HUB_ASSERT(parsed && parsed->is_array() && "generated table holds JSON arrays");
  json::array out;
  for (auto& input : parsed->as_array()) {
    if (chat && input.is_string())
      out.push_back(json::object{{"messages", json::array{json::object{{"role", "user"}, {"content", input}}}}});
    else if (input.is_string())
      out.push_back(json::object{{"text", input}});
    else
      out.push_back(std::move(input));
  }
  return out;
}

json::array widget_data(const json::array& card_examples, const std::optional<std::string>& pipeline_tag,
                        const std::optional<std::string>& mask_token, bool conversational,
                        std::span<const std::string> languages) {
  json::array out = card_examples.empty() && pipeline_tag
                        ? default_widget_inputs(*pipeline_tag, conversational, languages)
                        : card_examples;
  if (pipeline_tag == "fill-mask" && mask_token && *mask_token != "<mask>") {
    for (auto& ex : out) {
      auto* o = ex.if_object();
      if (!o) continue;
      if (auto* text = o->if_contains("text"); text && text->is_string()) {
        std::string s(text->get_string());
        replace_all(s, "<mask>", *mask_token);
        *text = s;
      }
    }
  }
  return out;
}

}  // namespace hub::services::metadata
