// BERT, RoBERTa, XLM-RoBERTa, CamemBERT and ELECTRA: one encoder with HF weight names
// (semantics of transformers' modeling_bert.py, modeling_roberta.py, modeling_electra.py).
#include <string>

#include "inference/models/labels.h"
#include "inference/models/loading.h"
#include "inference/models/registry.h"
#include "inference/models/weights.h"

namespace hub::inference::models {

namespace {

enum class Family { bert, roberta, electra };

Family family_of(std::string_view model_type) {
  if (model_type == "electra") return Family::electra;
  if (model_type == "roberta" || model_type == "xlm-roberta" || model_type == "camembert")
    return Family::roberta;
  return Family::bert;
}

Result<layers::EncoderConfig> read_config(Family fam, const boost::json::object& cfg) {
  layers::EncoderConfig c;
  const bool electra = fam == Family::electra;
  HUB_TRY(vocab, config_int(cfg, "vocab_size", fam == Family::roberta ? 50265 : 30522, 1, 10'000'000));
  HUB_TRY(hidden, config_int(cfg, "hidden_size", electra ? 256 : 768, 1, 65536));
  HUB_TRY(n_layer, config_int(cfg, "num_hidden_layers", 12, 0, 1000));
  HUB_TRY(n_head, config_int(cfg, "num_attention_heads", electra ? 4 : 12, 1, 1024));
  HUB_TRY(inter, config_int(cfg, "intermediate_size", electra ? 1024 : 3072, 1, 1 << 20));
  HUB_TRY(max_pos, config_int(cfg, "max_position_embeddings", 512, 1, 1 << 20));
  HUB_TRY(types, config_int(cfg, "type_vocab_size", 2, 0, 1 << 16));
  HUB_TRY(emb, config_int(cfg, "embedding_size", electra ? 128 : hidden, 1, 65536));
  HUB_TRY(pad, config_int(cfg, "pad_token_id", fam == Family::roberta ? 1 : 0, 0, 10'000'000));
  HUB_TRY(eps, config_float(cfg, "layer_norm_eps", 1e-12));
  HUB_TRY(act, config_activation(cfg, "hidden_act", "gelu"));
  c.vocab_size = vocab;
  c.hidden_size = hidden;
  c.num_hidden_layers = n_layer;
  c.num_attention_heads = n_head;
  c.intermediate_size = inter;
  c.max_position_embeddings = max_pos;
  c.type_vocab_size = types;
  c.embedding_size = electra ? emb : hidden;
  c.pad_token_id = pad;
  c.layer_norm_eps = eps;
  c.hidden_act = act;
  c.positions = fam == Family::roberta ? layers::PositionScheme::roberta
                                       : layers::PositionScheme::absolute;
  if (auto ok = validate_encoder_config(c); !ok) return std::unexpected(ok.error());
  return c;
}

Result<layers::EncoderWeights> bind_encoder(const WeightBinder& wb, const std::string& p,
                                            const layers::EncoderConfig& c) {
  layers::EncoderWeights w;
  const int64_t h = c.hidden_size, e = c.embedding_size;
  HUB_TRY(wte, wb.tensor(p + "embeddings.word_embeddings.weight", Shape{c.vocab_size, e}));
  HUB_TRY(wpe, wb.tensor(p + "embeddings.position_embeddings.weight", Shape{c.max_position_embeddings, e}));
  w.word_embeddings = std::move(wte);
  w.position_embeddings = std::move(wpe);
  if (c.type_vocab_size > 0) {
    HUB_TRY(tte, wb.tensor(p + "embeddings.token_type_embeddings.weight", Shape{c.type_vocab_size, e}));
    w.token_type_embeddings = std::move(tte);
  }
  HUB_TRY(eln, wb.norm(p + "embeddings.LayerNorm", e, c.layer_norm_eps));
  w.embeddings_norm = std::move(eln);
  if (e != h) {
    HUB_TRY(proj, wb.linear(p + "embeddings_project", e, h));
    w.embeddings_project = std::move(proj);
  }
  for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
    std::string l = p + "encoder.layer." + std::to_string(i) + ".";
    static constexpr WeightBinder::LayerNames kLayer{"attention.self.query", "attention.self.key",
                                                 "attention.self.value", "attention.output.dense",
                                                 "attention.output.LayerNorm", "intermediate.dense",
                                                 "output.dense", "output.LayerNorm"};
    HUB_TRY(layer, wb.encoder_layer(l, kLayer, h, c.intermediate_size, c.layer_norm_eps));
    w.layers.push_back(std::move(layer));
  }
  return w;
}

// The MLM decoder: its own weight when saved, else tied to the word embeddings.
Result<layers::Linear> bind_decoder(const WeightBinder& wb, const std::string& decoder,
                                    const std::string& bias_name, const std::string& tied,
                                    int64_t in, int64_t vocab) {
  layers::Linear l;
  std::string wname = wb.has(decoder + ".weight") ? decoder + ".weight" : tied;
  HUB_TRY(w, wb.tensor(wname, Shape{vocab, in}));
  std::string bname = wb.has(bias_name) ? bias_name : decoder + ".bias";
  HUB_TRY(b, wb.tensor(bname, Shape{vocab}));
  l.weight = std::move(w);
  l.bias = std::move(b);
  return l;
}

Result<layers::Head> bind_head(Family fam, layers::HeadKind kind, const WeightBinder& wb,
                               const std::string& p, const layers::EncoderConfig& c,
                               const boost::json::object& cfg) {
  using layers::HeadKind;
  layers::Head head;
  head.kind = kind;
  const int64_t h = c.hidden_size;
  const std::string tied = p + "embeddings.word_embeddings.weight";
  switch (kind) {
    case HeadKind::none:
      return head;
    case HeadKind::sequence_classification: {
      HUB_TRY(n, config_num_labels(cfg));
      if (fam == Family::bert) {
        HUB_TRY(d, wb.linear(p + "pooler.dense", h, h));
        HUB_TRY(o, wb.linear("classifier", h, n));
        head.dense = std::move(d);
        head.dense_act = ops::Activation::tanh;
        head.out = std::move(o);
      } else {
        HUB_TRY(d, wb.linear("classifier.dense", h, h));
        HUB_TRY(o, wb.linear("classifier.out_proj", h, n));
        head.dense = std::move(d);
        // RobertaClassificationHead uses tanh; ElectraClassificationHead gelu.
        head.dense_act = fam == Family::roberta ? ops::Activation::tanh : ops::Activation::gelu_erf;
        head.out = std::move(o);
      }
      return head;
    }
    case HeadKind::token_classification: {
      HUB_TRY(n, config_num_labels(cfg));
      HUB_TRY(o, wb.linear("classifier", h, n));
      head.out = std::move(o);
      return head;
    }
    case HeadKind::question_answering: {
      HUB_TRY(o, wb.linear("qa_outputs", h, 2));
      head.out = std::move(o);
      return head;
    }
    case HeadKind::masked_lm: {
      if (fam == Family::bert) {
        HUB_TRY(d, wb.linear("cls.predictions.transform.dense", h, h));
        HUB_TRY(n, wb.norm("cls.predictions.transform.LayerNorm", h, c.layer_norm_eps));
        HUB_TRY(o, bind_decoder(wb, "cls.predictions.decoder", "cls.predictions.bias", tied, h, c.vocab_size));
        head.dense = std::move(d);
        head.dense_act = c.hidden_act;
        head.norm = std::move(n);
        head.out = std::move(o);
      } else if (fam == Family::roberta) {
        HUB_TRY(d, wb.linear("lm_head.dense", h, h));
        HUB_TRY(n, wb.norm("lm_head.layer_norm", h, c.layer_norm_eps));
        HUB_TRY(o, bind_decoder(wb, "lm_head.decoder", "lm_head.bias", tied, h, c.vocab_size));
        head.dense = std::move(d);
        head.dense_act = ops::Activation::gelu_erf;
        head.norm = std::move(n);
        head.out = std::move(o);
      } else {
        const int64_t e = c.embedding_size;
        HUB_TRY(d, wb.linear("generator_predictions.dense", h, e));
        HUB_TRY(n, wb.norm("generator_predictions.LayerNorm", e, c.layer_norm_eps));
        HUB_TRY(o, bind_decoder(wb, "generator_lm_head", "generator_lm_head.bias", tied, e, c.vocab_size));
        head.dense = std::move(d);
        head.dense_act = ops::Activation::gelu_erf;
        head.norm = std::move(n);
        head.out = std::move(o);
      }
      return head;
    }
    case HeadKind::electra_discriminator: {
      if (fam != Family::electra)
        return fail(Errc::unsupported, "discriminator head exists only for ELECTRA");
      HUB_TRY(d, wb.linear("discriminator_predictions.dense", h, h));
      HUB_TRY(o, wb.linear("discriminator_predictions.dense_prediction", h, 1));
      head.dense = std::move(d);
      head.dense_act = c.hidden_act;
      head.out = std::move(o);
      return head;
    }
  }
  return fail(Errc::unsupported, "unknown head");
}

}  // namespace

Result<layers::EncoderConfig> bert_family_config(std::string_view model_type, const boost::json::object& cfg) {
  return read_config(family_of(model_type), cfg);
}

Result<ModelParts> load_bert_family(std::string_view model_type, const boost::json::object& cfg,
                                    const safetensors::Checkpoint& ckpt, layers::HeadKind head) {
  Family fam = family_of(model_type);
  HUB_TRY(c, read_config(fam, cfg));
  WeightBinder wb(ckpt);
  auto prefix = wb.find_prefix({"bert.", "roberta.", "electra.", ""}, "embeddings.word_embeddings.weight");
  if (!prefix) return fail(Errc::corrupt, "no embeddings.word_embeddings.weight in the checkpoint");
  HUB_TRY(w, bind_encoder(wb, *prefix, c));
  HUB_TRY(h, bind_head(fam, head, wb, *prefix, c, cfg));
  return ModelParts{c, std::move(w), std::move(h)};
}

Result<std::shared_ptr<Model>> load_bert(const LoadContext& ctx) {
  return load_encoder_model(ctx, bert_family_config, load_bert_family);
}

}  // namespace hub::inference::models
