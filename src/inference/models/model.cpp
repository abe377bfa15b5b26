#include "inference/models/model.h"

#include <exception>
#include <new>

#include "inference/chat/chat_template.h"
#include "inference/models/decoder.h"
#include "inference/models/loading.h"
#include "inference/models/registry.h"
#include "inference/models/seq2seq.h"
#ifdef HUBD_HAVE_TOKENIZERS
#include "inference/tokenizers/tokenizer.h"
#endif

namespace hub::inference {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<std::shared_ptr<const Model>> load_model_impl(const std::string& dir, const LoadOptions& opts) {
  models::LoadContext ctx;
  HUB_TRY(cfg, models::read_json_object(dir + "/config.json"));
  auto model_type = json::get_string(cfg, "model_type");
  if (!model_type) return fail(Errc::invalid_argument, "config.json: missing model_type");
  const auto* arch = models::find_architecture(*model_type);
  if (!arch) return fail(Errc::unsupported, "model_type '" + std::string(*model_type) + "' is not supported");
  ctx.dir = dir;
  ctx.model_type = std::string(*model_type);
  if (const auto* a = json::get_array(cfg, "architectures"); a && !a->empty() && a->front().is_string())
    ctx.architecture = std::string(a->front().get_string());
  ctx.config = std::move(cfg);
  ctx.opts = opts;
  HUB_TRY(model, arch->load(ctx));
  return std::shared_ptr<const Model>(std::move(model));
}

}  // namespace

HeadKind head_from_architecture(std::string_view model_type, std::string_view a) {
  if (ends_with(a, "ForSequenceClassification")) return HeadKind::sequence_classification;
  if (ends_with(a, "ForTokenClassification")) return HeadKind::token_classification;
  if (ends_with(a, "ForQuestionAnswering")) return HeadKind::question_answering;
  if (ends_with(a, "ForMaskedLM")) return HeadKind::masked_lm;
  if (ends_with(a, "ForPreTraining"))
    return model_type == "electra" ? HeadKind::electra_discriminator : HeadKind::masked_lm;
  return HeadKind::none;
}

Model::Model(ModelConfig config, layers::Encoder encoder, layers::Head head,
             std::shared_ptr<const tokenizers::Tokenizer> tokenizer)
    : config_(std::move(config)),
      encoder_(std::move(encoder)),
      head_(std::move(head)),
      tokenizer_(std::move(tokenizer)) {}

Model::Model(ModelConfig config, std::shared_ptr<const CausalLM> lm)
    : config_(std::move(config)), causal_lm_(std::move(lm)) {}

Model::Model(ModelConfig config, std::shared_ptr<const Seq2SeqLM> lm)
    : config_(std::move(config)), seq2seq_(std::move(lm)) {}

Model::~Model() = default;

Result<Tensor> Model::hidden_states(const Batch& b) const {
  if (!encoder_) return fail(Errc::unsupported, "this model has no encoder outputs (decoder or encoder-decoder)");
  if (auto err = encoder_->check_batch(b); !err.empty()) return fail(Errc::invalid_argument, err);
  try {
    auto ws = workspaces_.acquire();
    ws->reserve(encoder_->workspace_floats(b.batch, b.seq));
    const int64_t h = config_.encoder.hidden_size;
    const float* hidden = encoder_->forward(b, *ws);
    Tensor out = Tensor::empty(Shape{b.batch, b.seq, h});
    std::copy(hidden, hidden + b.batch * b.seq * h, out.data());
    return out;
  } catch (const std::bad_alloc&) {
    return fail(Errc::too_large, "out of memory for this batch");
  }
}

Result<Tensor> Model::logits(const Batch& b) const {
  if (head_.kind == HeadKind::none) return fail(Errc::unsupported, "model has no task head");
  if (!encoder_) return fail(Errc::unsupported, "this model has no encoder outputs (decoder or encoder-decoder)");
  if (auto err = encoder_->check_batch(b); !err.empty()) return fail(Errc::invalid_argument, err);
  try {
    auto ws = workspaces_.acquire();
    const int64_t h = config_.encoder.hidden_size;
    ws->reserve(encoder_->workspace_floats(b.batch, b.seq) + head_.workspace_floats(b.batch, b.seq, h));
    const float* hidden = encoder_->forward(b, *ws);
    int64_t n = head_.n_out();
    Tensor out;
    switch (head_.kind) {
      case HeadKind::sequence_classification: out = Tensor::empty(Shape{b.batch, n}); break;
      case HeadKind::electra_discriminator: out = Tensor::empty(Shape{b.batch, b.seq}); break;
      default: out = Tensor::empty(Shape{b.batch, b.seq, n}); break;
    }
    head_.forward(hidden, b.batch, b.seq, h, out.data(), *ws);
    return out;
  } catch (const std::bad_alloc&) {
    return fail(Errc::too_large, "out of memory for this batch");
  }
}

Result<Tensor> Model::embeddings(const Batch& b,
                                 const std::optional<layers::PoolingConfig>& fallback) const {
  if (!encoder_) return fail(Errc::unsupported, "this model has no encoder outputs (decoder or encoder-decoder)");
  if (auto err = encoder_->check_batch(b); !err.empty()) return fail(Errc::invalid_argument, err);
  layers::PoolingConfig cfg = config_.sentence_pooling ? *config_.sentence_pooling
                                                       : fallback.value_or(layers::PoolingConfig{});
  try {
    auto ws = workspaces_.acquire();
    ws->reserve(encoder_->workspace_floats(b.batch, b.seq));
    const int64_t h = config_.encoder.hidden_size;
    const float* hidden = encoder_->forward(b, *ws);
    Tensor out = Tensor::empty(Shape{b.batch, cfg.out_dim(h)});
    layers::pool(hidden, b.batch, b.seq, h, b.attention_mask, cfg, out.data());
    return out;
  } catch (const std::bad_alloc&) {
    return fail(Errc::too_large, "out of memory for this batch");
  }
}

Result<std::shared_ptr<const Model>> load_model(const std::string& dir, const LoadOptions& opts) {
  try {
    return load_model_impl(dir, opts);
  } catch (const std::bad_alloc&) {
    return fail(Errc::too_large, dir + ": out of memory while loading");
  } catch (const std::exception& e) {
    return fail(Errc::internal, dir + ": " + e.what());
  }
}

}  // namespace hub::inference
