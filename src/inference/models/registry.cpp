#include "inference/models/registry.h"

namespace hub::inference::models {

namespace {
// One line per supported config.json model_type.
constexpr Architecture kArchitectures[] = {
    {"bert", bert_family_config, load_bert_family},
    {"roberta", bert_family_config, load_bert_family},
    {"xlm-roberta", bert_family_config, load_bert_family},
    {"camembert", bert_family_config, load_bert_family},
    {"electra", bert_family_config, load_bert_family},
    {"distilbert", distilbert_config, load_distilbert},
    {"mpnet", mpnet_config, load_mpnet},
};
}  // namespace

std::span<const Architecture> architectures() { return kArchitectures; }

const Architecture* find_architecture(std::string_view model_type) {
  for (const auto& a : kArchitectures)
    if (a.model_type == model_type) return &a;
  return nullptr;
}

}  // namespace hub::inference::models
