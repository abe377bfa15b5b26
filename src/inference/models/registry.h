// The architectures load_model knows, keyed by config.json `model_type`: an explicit list in
// registry.cpp (no static self-registration). Each entry maps config.json to an encoder
// config and binds the checkpoint's weights for a given head. Immutable; thread-safe.
#pragma once

#include <span>
#include <string_view>

#include "core/json.h"
#include "core/result.h"
#include "inference/layers/encoder.h"
#include "inference/layers/heads.h"
#include "inference/safetensors/checkpoint.h"

namespace hub::inference::models {

struct ModelParts {
  layers::EncoderConfig encoder;
  layers::EncoderWeights weights;
  layers::Head head;
};

using LoadFn = Result<ModelParts> (*)(std::string_view model_type, const boost::json::object& config,
                                      const safetensors::Checkpoint& ckpt, layers::HeadKind head);

// The family's config.json mapping alone (range checks included), read before any weight
// loads so the model's memory can be estimated first.
using ConfigFn = Result<layers::EncoderConfig> (*)(std::string_view model_type, const boost::json::object& config);

struct Architecture {
  std::string_view model_type;
  ConfigFn config;
  LoadFn load;
};

std::span<const Architecture> architectures();
const Architecture* find_architecture(std::string_view model_type);

// Family config readers and loaders (one file each).
Result<layers::EncoderConfig> bert_family_config(std::string_view model_type, const boost::json::object& config);
Result<layers::EncoderConfig> mpnet_config(std::string_view model_type, const boost::json::object& config);
Result<layers::EncoderConfig> distilbert_config(std::string_view model_type, const boost::json::object& config);
Result<ModelParts> load_bert_family(std::string_view model_type, const boost::json::object& config,
                                    const safetensors::Checkpoint& ckpt, layers::HeadKind head);
Result<ModelParts> load_mpnet(std::string_view model_type, const boost::json::object& config,
                              const safetensors::Checkpoint& ckpt, layers::HeadKind head);
Result<ModelParts> load_distilbert(std::string_view model_type, const boost::json::object& config,
                                   const safetensors::Checkpoint& ckpt, layers::HeadKind head);

}  // namespace hub::inference::models
