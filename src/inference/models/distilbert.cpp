// DistilBERT: the BERT encoder without token types, with its own config and weight names
// (semantics of transformers' modeling_distilbert.py; LayerNorm eps is fixed at 1e-12).
#include <string>

#include "inference/models/labels.h"
#include "inference/models/loading.h"
#include "inference/models/registry.h"
#include "inference/models/weights.h"

namespace hub::inference::models {

Result<layers::EncoderConfig> distilbert_config(std::string_view, const boost::json::object& cfg) {
  layers::EncoderConfig c;
  HUB_TRY(vocab, config_int(cfg, "vocab_size", 30522, 1, 10'000'000));
  HUB_TRY(dim, config_int(cfg, "dim", 768, 1, 65536));
  HUB_TRY(n_layers, config_int(cfg, "n_layers", 6, 0, 1000));
  HUB_TRY(n_heads, config_int(cfg, "n_heads", 12, 1, 1024));
  HUB_TRY(hidden_dim, config_int(cfg, "hidden_dim", 3072, 1, 1 << 20));
  HUB_TRY(max_pos, config_int(cfg, "max_position_embeddings", 512, 1, 1 << 20));
  HUB_TRY(pad, config_int(cfg, "pad_token_id", 0, 0, 10'000'000));
  HUB_TRY(act, config_activation(cfg, "activation", "gelu"));
  c.vocab_size = vocab;
  c.hidden_size = c.embedding_size = dim;
  c.num_hidden_layers = n_layers;
  c.num_attention_heads = n_heads;
  c.intermediate_size = hidden_dim;
  c.max_position_embeddings = max_pos;
  c.type_vocab_size = 0;
  c.pad_token_id = pad;
  c.layer_norm_eps = 1e-12f;
  c.hidden_act = act;
  if (auto ok = validate_encoder_config(c); !ok) return std::unexpected(ok.error());
  return c;
}

Result<ModelParts> load_distilbert(std::string_view model_type, const boost::json::object& cfg,
                                   const safetensors::Checkpoint& ckpt, layers::HeadKind kind) {
  using layers::HeadKind;
  HUB_TRY(c, distilbert_config(model_type, cfg));
  const int64_t vocab = c.vocab_size, dim = c.hidden_size, n_layers = c.num_hidden_layers;
  const int64_t hidden_dim = c.intermediate_size, max_pos = c.max_position_embeddings;
  WeightBinder wb(ckpt);
  auto pfx = wb.find_prefix({"distilbert.", ""}, "embeddings.word_embeddings.weight");
  if (!pfx) return fail(Errc::corrupt, "no embeddings.word_embeddings.weight in the checkpoint");
  const std::string& p = *pfx;
  layers::EncoderWeights w;
  HUB_TRY(wte, wb.tensor(p + "embeddings.word_embeddings.weight", Shape{vocab, dim}));
  HUB_TRY(wpe, wb.tensor(p + "embeddings.position_embeddings.weight", Shape{max_pos, dim}));
  HUB_TRY(eln, wb.norm(p + "embeddings.LayerNorm", dim, c.layer_norm_eps));
  w.word_embeddings = std::move(wte);
  w.position_embeddings = std::move(wpe);
  w.embeddings_norm = std::move(eln);
  for (int64_t i = 0; i < n_layers; ++i) {
    std::string l = p + "transformer.layer." + std::to_string(i) + ".";
    static constexpr WeightBinder::LayerNames kLayer{"attention.q_lin", "attention.k_lin",
                                                 "attention.v_lin", "attention.out_lin",
                                                 "sa_layer_norm", "ffn.lin1",
                                                 "ffn.lin2", "output_layer_norm"};
    HUB_TRY(layer, wb.encoder_layer(l, kLayer, dim, hidden_dim, c.layer_norm_eps));
    w.layers.push_back(std::move(layer));
  }

  layers::Head head;
  head.kind = kind;
  switch (kind) {
    case HeadKind::none:
      break;
    case HeadKind::sequence_classification: {
      HUB_TRY(n, config_num_labels(cfg));
      HUB_TRY(d, wb.linear("pre_classifier", dim, dim));
      HUB_TRY(o, wb.linear("classifier", dim, n));
      head.dense = std::move(d);
      head.dense_act = ops::Activation::relu;
      head.out = std::move(o);
      break;
    }
    case HeadKind::token_classification: {
      HUB_TRY(n, config_num_labels(cfg));
      HUB_TRY(o, wb.linear("classifier", dim, n));
      head.out = std::move(o);
      break;
    }
    case HeadKind::question_answering: {
      HUB_TRY(o, wb.linear("qa_outputs", dim, 2));
      head.out = std::move(o);
      break;
    }
    case HeadKind::masked_lm: {
      HUB_TRY(d, wb.linear("vocab_transform", dim, dim));
      HUB_TRY(n, wb.norm("vocab_layer_norm", dim, 1e-12f));
      std::string wname = wb.has("vocab_projector.weight") ? "vocab_projector.weight"
                                                           : p + "embeddings.word_embeddings.weight";
      HUB_TRY(dw, wb.tensor(wname, Shape{vocab, dim}));
      HUB_TRY(db, wb.tensor("vocab_projector.bias", Shape{vocab}));
      head.dense = std::move(d);
      head.dense_act = c.hidden_act;
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

Result<std::shared_ptr<Model>> load_distilbert_model(const LoadContext& ctx) {
  return load_encoder_model(ctx, distilbert_config, load_distilbert);
}

}  // namespace hub::inference::models
