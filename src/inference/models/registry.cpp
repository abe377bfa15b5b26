#include "inference/models/registry.h"

namespace hub::inference::models {

namespace {
// One line per supported config.json model_type.
constexpr Architecture kArchitectures[] = {
    {"bert", load_bert_family},
    {"roberta", load_bert_family},
    {"xlm-roberta", load_bert_family},
    {"camembert", load_bert_family},
    {"electra", load_bert_family},
    {"distilbert", load_distilbert},
    {"mpnet", load_mpnet},
};
}  // namespace

std::span<const Architecture> architectures() { return kArchitectures; }

const Architecture* find_architecture(std::string_view model_type) {
  for (const auto& a : kArchitectures)
    if (a.model_type == model_type) return &a;
  return nullptr;
}

}  // namespace hub::inference::models
