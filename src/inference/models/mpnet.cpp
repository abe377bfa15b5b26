// MPNet: the BERT encoder with RoBERTa-style positions (padding_idx fixed at 1), no token
// types, and a learned relative position bias shared by all layers (semantics of
// transformers' modeling_mpnet.py; the bias is bucketed with 32 buckets, max distance 128).
#include <string>

#include "inference/models/labels.h"
#include "inference/models/loading.h"
#include "inference/models/registry.h"
#include "inference/models/weights.h"

namespace hub::inference::models {

Result<layers::EncoderConfig> mpnet_config(std::string_view, const boost::json::object& cfg) {
  layers::EncoderConfig c;
  HUB_TRY(vocab, config_int(cfg, "vocab_size", 30527, 1, 10'000'000));
  HUB_TRY(h, config_int(cfg, "hidden_size", 768, 1, 65536));
  HUB_TRY(n_layer, config_int(cfg, "num_hidden_layers", 12, 0, 1000));
  HUB_TRY(n_head, config_int(cfg, "num_attention_heads", 12, 1, 1024));
  HUB_TRY(inter, config_int(cfg, "intermediate_size", 3072, 1, 1 << 20));
  HUB_TRY(max_pos, config_int(cfg, "max_position_embeddings", 514, 1, 1 << 20));
  HUB_TRY(buckets, config_int(cfg, "relative_attention_num_buckets", 32, 32, 4096));
  HUB_TRY(eps, config_float(cfg, "layer_norm_eps", 1e-12));
  HUB_TRY(act, config_activation(cfg, "hidden_act", "gelu"));
  c.vocab_size = vocab;
  c.hidden_size = c.embedding_size = h;
  c.num_hidden_layers = n_layer;
  c.num_attention_heads = n_head;
  c.intermediate_size = inter;
  c.max_position_embeddings = max_pos;
  c.type_vocab_size = 0;
  c.pad_token_id = 1;  // MPNetEmbeddings hard-codes padding_idx = 1
  c.layer_norm_eps = eps;
  c.hidden_act = act;
  c.positions = layers::PositionScheme::roberta;
  c.relative_attention_num_buckets = 32;  // compute_position_bias always buckets into 32
  (void)buckets;  // range-checked here; the bias table's rows (bound in load_mpnet)
  if (auto ok = validate_encoder_config(c); !ok) return std::unexpected(ok.error());
  return c;
}

Result<ModelParts> load_mpnet(std::string_view model_type, const boost::json::object& cfg,
                              const safetensors::Checkpoint& ckpt, layers::HeadKind kind) {
  using layers::HeadKind;
  HUB_TRY(c, mpnet_config(model_type, cfg));
  HUB_TRY(buckets, config_int(cfg, "relative_attention_num_buckets", 32, 32, 4096));
  const int64_t vocab = c.vocab_size, h = c.hidden_size, n_layer = c.num_hidden_layers;
  const int64_t n_head = c.num_attention_heads, inter = c.intermediate_size;
  const int64_t max_pos = c.max_position_embeddings;
  const float eps = c.layer_norm_eps;
  WeightBinder wb(ckpt);
  auto pfx = wb.find_prefix({"mpnet.", ""}, "embeddings.word_embeddings.weight");
  if (!pfx) return fail(Errc::corrupt, "no embeddings.word_embeddings.weight in the checkpoint");
  const std::string& p = *pfx;
  layers::EncoderWeights w;
  HUB_TRY(wte, wb.tensor(p + "embeddings.word_embeddings.weight", Shape{vocab, h}));
  HUB_TRY(wpe, wb.tensor(p + "embeddings.position_embeddings.weight", Shape{max_pos, h}));
  HUB_TRY(eln, wb.norm(p + "embeddings.LayerNorm", h, eps));
  HUB_TRY(rel, wb.tensor(p + "encoder.relative_attention_bias.weight", Shape{buckets, n_head}));
  w.word_embeddings = std::move(wte);
  w.position_embeddings = std::move(wpe);
  w.embeddings_norm = std::move(eln);
  w.relative_attention_bias = std::move(rel);
  for (int64_t i = 0; i < n_layer; ++i) {
    std::string l = p + "encoder.layer." + std::to_string(i) + ".";
    static constexpr WeightBinder::LayerNames kLayer{"attention.attn.q", "attention.attn.k",
                                                 "attention.attn.v", "attention.attn.o",
                                                 "attention.LayerNorm", "intermediate.dense",
                                                 "output.dense", "output.LayerNorm"};
    HUB_TRY(layer, wb.encoder_layer(l, kLayer, h, inter, eps));
    w.layers.push_back(std::move(layer));
  }

  layers::Head head;
  head.kind = kind;
  switch (kind) {
    case HeadKind::none:
      break;
    case HeadKind::sequence_classification: {
      HUB_TRY(n, config_num_labels(cfg));
      HUB_TRY(d, wb.linear("classifier.dense", h, h));
      HUB_TRY(o, wb.linear("classifier.out_proj", h, n));
      head.dense = std::move(d);
      head.dense_act = ops::Activation::tanh;
      head.out = std::move(o);
      break;
    }
    case HeadKind::token_classification: {
      HUB_TRY(n, config_num_labels(cfg));
      HUB_TRY(o, wb.linear("classifier", h, n));
      head.out = std::move(o);
      break;
    }
    case HeadKind::question_answering: {
      HUB_TRY(o, wb.linear("qa_outputs", h, 2));
      head.out = std::move(o);
      break;
    }
    case HeadKind::masked_lm: {
      HUB_TRY(d, wb.linear("lm_head.dense", h, h));
      HUB_TRY(n, wb.norm("lm_head.layer_norm", h, eps));
      std::string wname = wb.has("lm_head.decoder.weight") ? "lm_head.decoder.weight"
                                                           : p + "embeddings.word_embeddings.weight";
      std::string bname = wb.has("lm_head.bias") ? "lm_head.bias" : "lm_head.decoder.bias";
      HUB_TRY(dw, wb.tensor(wname, Shape{vocab, h}));
      HUB_TRY(db, wb.tensor(bname, Shape{vocab}));
      head.dense = std::move(d);
      head.dense_act = ops::Activation::gelu_erf;
      head.norm = std::move(n);
      head.out.weight = std::move(dw);
      head.out.bias = std::move(db);
      break;
    }
    case HeadKind::electra_discriminator:
      return fail(Errc::unsupported, "discriminator head exists only for ELECTRA");
  }
  return ModelParts{c, std::move(w), std::move(head)};
}

Result<std::shared_ptr<Model>> load_mpnet_model(const LoadContext& ctx) {
  return load_encoder_model(ctx, mpnet_config, load_mpnet);
}

}  // namespace hub::inference::models
