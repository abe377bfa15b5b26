// Internal to models/: per-family config.json mapping and weight binding for load_causal_lm
// (llama.cpp: Llama/Mistral/Qwen2; gpt2.cpp: GPT-2). Stateless.
#pragma once

#include "core/json.h"
#include "core/result.h"
#include "inference/models/decoder.h"
#include "inference/safetensors/checkpoint.h"

namespace hub::inference::models {

Result<DecoderConfig> gpt2_config(boost::json::object cfg);
// The config's sizes against the checkpoint header (see llama_check_shapes in llama.cpp).
Result<void> gpt2_check_shapes(const DecoderConfig& c, const safetensors::Checkpoint& ckpt);
Result<DecoderWeights> gpt2_weights(const DecoderConfig& c, const safetensors::Checkpoint& ckpt);

}  // namespace hub::inference::models
