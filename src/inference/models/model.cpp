#include "inference/models/model.h"

#include <exception>
#include <filesystem>
#include <new>

#include "core/fs.h"
#include "inference/chat/chat_template.h"
#include "inference/models/decoder.h"
#include "inference/models/labels.h"
#include "inference/models/registry.h"
#include "inference/safetensors/checkpoint.h"
#ifdef HUBD_HAVE_TOKENIZERS
#include "inference/tokenizers/tokenizer.h"
#endif

namespace hub::inference {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<boost::json::object> read_json_object(const std::string& path) {
  HUB_TRY(text, fs::read_file(path, 16u << 20));
  auto doc = json::parse(text);
  if (!doc) return fail(Errc::corrupt, path + ": " + doc.error().message);
  if (!doc->is_object()) return fail(Errc::corrupt, path + ": not a JSON object");
  return std::move(doc->get_object());
}

bool safe_relative(std::string_view p) {
  if (p.empty() || p.front() == '/') return false;
  return std::string_view(p).find("..") == std::string_view::npos;
}

// sentence-transformers: modules.json lists Transformer, Pooling, optional Normalize.
Result<std::optional<layers::PoolingConfig>> read_sentence_pooling(const std::string& dir) {
  std::error_code ec;
  std::string modules = dir + "/modules.json";
  if (!std::filesystem::is_regular_file(modules, ec)) return std::optional<layers::PoolingConfig>{};
  HUB_TRY(text, fs::read_file(modules, 1u << 20));
  auto doc = json::parse(text);
  if (!doc || !doc->is_array()) return fail(Errc::corrupt, modules + ": not a JSON array");
  std::optional<layers::PoolingConfig> cfg;
  bool normalize = false;
  for (const auto& m : doc->get_array()) {
    if (!m.is_object()) return fail(Errc::corrupt, modules + ": entries must be objects");
    auto type = json::get_string(m.get_object(), "type").value_or("");
    auto path = json::get_string(m.get_object(), "path").value_or("");
    if (ends_with(type, ".Transformer")) continue;
    if (ends_with(type, ".Normalize")) {
      normalize = true;
      continue;
    }
    if (ends_with(type, ".Pooling")) {
      if (!safe_relative(path)) return fail(Errc::corrupt, modules + ": bad module path");
      HUB_TRY(pc, read_json_object(dir + "/" + std::string(path) + "/config.json"));
      layers::PoolingConfig p;
      p.modes.clear();
      auto on = [&](std::string_view k) { return json::get_bool(pc, k).value_or(false); };
      if (on("pooling_mode_weightedmean_tokens") || on("pooling_mode_lasttoken"))
        return fail(Errc::unsupported, "pooling mode not supported (weightedmean/lasttoken)");
      if (on("pooling_mode_cls_token")) p.modes.push_back(layers::PoolingMode::cls);
      if (on("pooling_mode_max_tokens")) p.modes.push_back(layers::PoolingMode::max);
      if (on("pooling_mode_mean_tokens")) p.modes.push_back(layers::PoolingMode::mean);
      if (on("pooling_mode_mean_sqrt_len_tokens")) p.modes.push_back(layers::PoolingMode::mean_sqrt_len);
      if (p.modes.empty()) return fail(Errc::corrupt, "1_Pooling/config.json enables no pooling mode");
      cfg = p;
      continue;
    }
    return fail(Errc::unsupported, "sentence-transformers module '" + std::string(type) + "' not supported");
  }
  if (cfg) cfg->normalize = normalize;
  return cfg;
}

std::vector<std::string> read_labels(const boost::json::object& cfg, int64_t n) {
  std::vector<std::string> labels(static_cast<size_t>(n));
  const auto* m = json::get_object(cfg, "id2label");
  for (int64_t i = 0; i < n; ++i) {
    std::string key = std::to_string(i);
    auto s = m ? json::get_string(*m, key) : std::nullopt;
    labels[size_t(i)] = s ? std::string(*s) : "LABEL_" + key;
  }
  return labels;
}

// The head's output width, for the memory estimate (the binder checks it against weights).
Result<int64_t> head_width(HeadKind head, const layers::EncoderConfig& c, const boost::json::object& cfg) {
  switch (head) {
    case HeadKind::none: return int64_t(0);
    case HeadKind::sequence_classification:
    case HeadKind::token_classification: return models::config_num_labels(cfg);
    case HeadKind::question_answering: return int64_t(2);
    case HeadKind::masked_lm: return c.vocab_size;
    case HeadKind::electra_discriminator: return int64_t(1);
  }
  return int64_t(0);
}

Result<std::shared_ptr<const Model>> load_model_impl(const std::string& dir, const LoadOptions& opts) {
  HUB_TRY(cfg, read_json_object(dir + "/config.json"));
  auto model_type = json::get_string(cfg, "model_type");
  if (!model_type) return fail(Errc::invalid_argument, "config.json: missing model_type");
  if (is_causal_lm_type(*model_type)) {
    MemoryEstimate memory;
    HUB_TRY(lm, load_causal_lm(dir, opts.load_tokenizer, opts.limits, &memory));
    ModelConfig mc;
    mc.model_type = std::string(*model_type);
    if (const auto* a = json::get_array(cfg, "architectures"); a && !a->empty() && a->front().is_string())
      mc.architecture = std::string(a->front().get_string());
    mc.raw = std::move(cfg);
    auto model = std::make_shared<Model>(std::move(mc), std::move(lm));
    model->set_memory(memory);
    // A template that cannot be read only takes chat away; text generation still works.
    if (auto t = chat::load_chat_template_dir(dir))
      model->set_chat_template(std::make_shared<const chat::ChatTemplate>(std::move(*t)), "");
    else
      model->set_chat_template(nullptr, t.error().message);
    return std::shared_ptr<const Model>(std::move(model));
  }
  const auto* arch = models::find_architecture(*model_type);
  if (!arch) return fail(Errc::unsupported, "model_type '" + std::string(*model_type) + "' is not supported");
  std::string architecture;
  if (const auto* a = json::get_array(cfg, "architectures"); a && !a->empty() && a->front().is_string())
    architecture = std::string(a->front().get_string());
  HeadKind head = opts.head ? *opts.head : head_from_architecture(*model_type, architecture);
  HUB_TRY(ckpt, safetensors::Checkpoint::open_dir(dir));
  // The whole memory the config implies, from it and the header alone, before any tensor
  // loads (binding then checks every tensor's shape before converting it).
  HUB_TRY(enc_cfg, arch->config(*model_type, cfg));
  HUB_TRY(head_out, head_width(head, enc_cfg, cfg));
  const auto memory =
      estimate_encoder_memory(enc_cfg, head, head_out, held_weight_bytes(ckpt, false), opts.limits);
  if (auto ok = check_memory_budget(memory, opts.limits); !ok) return std::unexpected(ok.error());
  HUB_TRY(parts, arch->load(*model_type, cfg, ckpt, head));
  HUB_TRY(pooling, read_sentence_pooling(dir));

  ModelConfig mc;
  mc.model_type = std::string(*model_type);
  mc.architecture = architecture;
  mc.encoder = parts.encoder;
  mc.head = head;
  mc.num_labels = parts.head.n_out();
  if (head == HeadKind::sequence_classification || head == HeadKind::token_classification)
    mc.id2label = read_labels(cfg, mc.num_labels);
  mc.problem_type = std::string(json::get_string(cfg, "problem_type").value_or(""));
  mc.sentence_pooling = pooling;
  mc.raw = std::move(cfg);

  std::shared_ptr<const tokenizers::Tokenizer> tok;
#ifdef HUBD_HAVE_TOKENIZERS
  std::error_code ec;
  std::string tok_path = dir + "/tokenizer.json";
  if (opts.load_tokenizer && std::filesystem::is_regular_file(tok_path, ec)) {
    HUB_TRY(t, tokenizers::Tokenizer::from_file(tok_path));
    tok = std::make_shared<const tokenizers::Tokenizer>(std::move(t));
  }
#endif
  layers::Encoder enc(parts.encoder, std::move(parts.weights));
  auto model = std::make_shared<Model>(std::move(mc), std::move(enc), std::move(parts.head), std::move(tok));
  model->set_memory(memory);
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

Model::~Model() = default;

Result<Tensor> Model::hidden_states(const Batch& b) const {
  if (!encoder_) return fail(Errc::unsupported, "a decoder-only model has no encoder outputs");
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
  if (!encoder_) return fail(Errc::unsupported, "a decoder-only model has no encoder outputs");
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
  if (!encoder_) return fail(Errc::unsupported, "a decoder-only model has no encoder outputs");
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
