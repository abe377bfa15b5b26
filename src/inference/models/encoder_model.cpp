// The shared loader of the BERT-family encoders (bert.cpp, distilbert.cpp, mpnet.cpp): the
// family's config mapping, the memory estimate before any tensor loads, weight binding for the
// head architectures[0] implies, sentence-transformers pooling, tokenizer.json.
#include <filesystem>

#include "core/fs.h"
#include "inference/models/labels.h"
#include "inference/models/loading.h"

namespace hub::inference::models {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
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

}  // namespace

Result<std::shared_ptr<Model>> load_encoder_model(const LoadContext& ctx, EncoderConfigFn config_fn,
                                                  EncoderBindFn bind) {
  const auto& cfg = ctx.config;
  const auto& opts = ctx.opts;
  HeadKind head = opts.head ? *opts.head : head_from_architecture(ctx.model_type, ctx.architecture);
  HUB_TRY(ckpt, safetensors::Checkpoint::open_dir(ctx.dir));
  // The whole memory the config implies, from it and the header alone, before any tensor
  // loads (binding then checks every tensor's shape before converting it).
  HUB_TRY(enc_cfg, config_fn(ctx.model_type, cfg));
  HUB_TRY(head_out, head_width(head, enc_cfg, cfg));
  const auto memory =
      estimate_encoder_memory(enc_cfg, head, head_out, held_weight_bytes(ckpt, false), opts.limits);
  if (auto ok = check_memory_budget(memory, opts.limits); !ok) return std::unexpected(ok.error());
  HUB_TRY(parts, bind(ctx.model_type, cfg, ckpt, head));
  HUB_TRY(pooling, read_sentence_pooling(ctx.dir));

  ModelConfig mc;
  mc.kind = ModelKind::encoder;
  mc.model_type = ctx.model_type;
  mc.architecture = ctx.architecture;
  mc.encoder = parts.encoder;
  mc.head = head;
  mc.num_labels = parts.head.n_out();
  if (head == HeadKind::sequence_classification || head == HeadKind::token_classification)
    mc.id2label = read_labels(cfg, mc.num_labels);
  mc.problem_type = std::string(json::get_string(cfg, "problem_type").value_or(""));
  mc.sentence_pooling = pooling;
  mc.raw = cfg;
  HUB_TRY(tok, load_tokenizer_json(ctx.dir, opts.load_tokenizer));
  layers::Encoder enc(parts.encoder, std::move(parts.weights));
  auto model = std::make_shared<Model>(std::move(mc), std::move(enc), std::move(parts.head), std::move(tok));
  model->set_memory(memory);
  return model;
}

}  // namespace hub::inference::models
