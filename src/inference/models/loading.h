// Internal to models/: what an architecture's loader gets (LoadContext) and the shared
// loaders each kind's architectures call from their one file: load_encoder_model (BERT-family
// encoders: config mapping + weight binding + head + pooling) and load_decoder_model (causal
// LMs: config mapping, shape checks, weight binding, generation_config, chat template).
// Stateless; thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/result.h"
#include "inference/layers/encoder.h"
#include "inference/layers/heads.h"
#include "inference/models/decoder.h"
#include "inference/models/model.h"
#include "inference/safetensors/checkpoint.h"

namespace hub::inference::models {

struct LoadContext {
  std::string dir;
  std::string model_type;    // config.json model_type
  std::string architecture;  // architectures[0], or ""
  boost::json::object config;  // the whole config.json
  LoadOptions opts;
};

Result<boost::json::object> read_json_object(const std::string& path);
// An int or a list of ints (eos_token_id), appended to out.
void read_ids(const boost::json::value* v, std::vector<int32_t>& out);
// generation_config.json when present, else {}.
Result<boost::json::object> read_generation_config(const std::string& dir);
// dir/tokenizer.json when `want`, present and the tokenizers library is built; else null.
Result<std::shared_ptr<const tokenizers::Tokenizer>> load_tokenizer_json(const std::string& dir, bool want);

// --- encoders --------------------------------------------------------------------------
struct ModelParts {
  layers::EncoderConfig encoder;
  layers::EncoderWeights weights;
  layers::Head head;
};
// The family's config.json mapping alone (range checks included), read before any weight
// loads so the model's memory can be estimated first.
using EncoderConfigFn = Result<layers::EncoderConfig> (*)(std::string_view model_type,
                                                         const boost::json::object& config);
using EncoderBindFn = Result<ModelParts> (*)(std::string_view model_type, const boost::json::object& config,
                                             const safetensors::Checkpoint& ckpt, layers::HeadKind head);
Result<std::shared_ptr<Model>> load_encoder_model(const LoadContext& ctx, EncoderConfigFn config,
                                                  EncoderBindFn bind);
// The families' functions (bert.cpp, distilbert.cpp, mpnet.cpp).
Result<layers::EncoderConfig> bert_family_config(std::string_view model_type, const boost::json::object& config);
Result<layers::EncoderConfig> mpnet_config(std::string_view model_type, const boost::json::object& config);
Result<layers::EncoderConfig> distilbert_config(std::string_view model_type, const boost::json::object& config);
Result<ModelParts> load_bert_family(std::string_view model_type, const boost::json::object& config,
                                    const safetensors::Checkpoint& ckpt, layers::HeadKind head);
Result<ModelParts> load_mpnet(std::string_view model_type, const boost::json::object& config,
                              const safetensors::Checkpoint& ckpt, layers::HeadKind head);
Result<ModelParts> load_distilbert(std::string_view model_type, const boost::json::object& config,
                                   const safetensors::Checkpoint& ckpt, layers::HeadKind head);

// --- decoders --------------------------------------------------------------------------
struct DecoderFamily {
  Result<DecoderConfig> (*config)(boost::json::object cfg);
  // The config's sizes against the checkpoint header, before anything loads.
  Result<void> (*check_shapes)(const DecoderConfig& c, const safetensors::Checkpoint& ckpt);
  Result<DecoderWeights> (*weights)(const DecoderConfig& c, const safetensors::Checkpoint& ckpt);
  bool keep_bf16;  // bf16 checkpoints stay bf16 (memory estimate)
};
Result<std::shared_ptr<const CausalLM>> load_decoder(const LoadContext& ctx, const DecoderFamily& family,
                                                    MemoryEstimate* memory);
// The decoder plus its chat template (a template that does not parse only takes chat away).
Result<std::shared_ptr<Model>> load_decoder_model(const LoadContext& ctx, const DecoderFamily& family);

}  // namespace hub::inference::models
