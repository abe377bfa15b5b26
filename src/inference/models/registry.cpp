#include "inference/models/registry.h"

namespace hub::inference::models {

namespace {
// One line per supported config.json model_type.
constexpr Architecture kArchitectures[] = {
    {"bert", ModelKind::encoder, load_bert},
    {"roberta", ModelKind::encoder, load_bert},
    {"xlm-roberta", ModelKind::encoder, load_bert},
    {"camembert", ModelKind::encoder, load_bert},
    {"electra", ModelKind::encoder, load_bert},
    {"distilbert", ModelKind::encoder, load_distilbert_model},
    {"mpnet", ModelKind::encoder, load_mpnet_model},
    {"llama", ModelKind::decoder, load_llama},
    {"mistral", ModelKind::decoder, load_llama},
    {"qwen2", ModelKind::decoder, load_llama},
    {"gpt2", ModelKind::decoder, load_gpt2},
    {"t5", ModelKind::encoder_decoder, load_t5},
    {"bart", ModelKind::encoder_decoder, load_bart},
};
}  // namespace

std::span<const Architecture> architectures() { return kArchitectures; }

const Architecture* find_architecture(std::string_view model_type) {
  for (const auto& a : kArchitectures)
    if (a.model_type == model_type) return &a;
  return nullptr;
}

}  // namespace hub::inference::models
