// The one model registry: every architecture load_model knows, keyed by config.json
// `model_type`, with its kind (models/kind.h) and its loader. An explicit list in
// registry.cpp, one line per model_type (no static self-registration); each architecture's
// config reading, weight binding and forward live in its own models/<arch>.cpp. What a kind
// can serve is in models/tasks.h. Immutable; thread-safe.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "core/result.h"
#include "inference/models/kind.h"
#include "inference/models/model.h"

namespace hub::inference::models {

struct LoadContext;
// Reads the architecture's config, checks it against the checkpoint header, estimates and
// checks memory (ctx.opts.limits), binds weights, attaches tokenizer etc.
using LoadModelFn = Result<std::shared_ptr<Model>> (*)(const LoadContext& ctx);

struct Architecture {
  std::string_view model_type;
  ModelKind kind;
  LoadModelFn load;
};

std::span<const Architecture> architectures();
const Architecture* find_architecture(std::string_view model_type);

// Each architecture's entry point (defined in its own file).
Result<std::shared_ptr<Model>> load_bert(const LoadContext& ctx);        // bert.cpp (BERT, RoBERTa, XLM-R, CamemBERT, ELECTRA)
Result<std::shared_ptr<Model>> load_distilbert_model(const LoadContext& ctx);  // distilbert.cpp
Result<std::shared_ptr<Model>> load_mpnet_model(const LoadContext& ctx);       // mpnet.cpp
Result<std::shared_ptr<Model>> load_llama(const LoadContext& ctx);       // llama.cpp (Llama, Mistral, Qwen2)
Result<std::shared_ptr<Model>> load_gpt2(const LoadContext& ctx);        // gpt2.cpp
Result<std::shared_ptr<Model>> load_t5(const LoadContext& ctx);          // t5.cpp
Result<std::shared_ptr<Model>> load_bart(const LoadContext& ctx);        // bart.cpp

}  // namespace hub::inference::models
