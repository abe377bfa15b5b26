// widgetData for a model page (PIPELINE_TAG.md section 7): the card's examples with the fill-mask
// placeholder replaced by the model's mask token, or the task's default inputs (generated from
// default-widget-inputs.ts) in the card's first language that has them, else English.
// Pure functions over static tables: safe from any thread.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/json.h"

namespace hub::services::metadata {

// Default examples for a task in widget shape ({text}, {text, context}, {messages}, ...); empty
// when none. `conversational` selects chat examples for text-generation / image-text-to-text.
json::array default_widget_inputs(std::string_view pipeline_tag, bool conversational,
                                  std::span<const std::string> languages = {});

json::array widget_data(const json::array& card_examples, const std::optional<std::string>& pipeline_tag,
                        const std::optional<std::string>& mask_token, bool conversational,
                        std::span<const std::string> languages = {});

}  // namespace hub::services::metadata
