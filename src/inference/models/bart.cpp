// BART (BartForConditionalGeneration): learned positions offset by 2, layernorm_embedding,
// post-LayerNorm blocks with biases everywhere, attention scaled by head_dim^-0.5, GELU (or
// the config's activation) MLP, embeddings times sqrt(d_model) when scale_embedding, an lm_head
// tied to the shared embedding plus final_logits_bias. Joins the registry as models::load_bart.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "inference/models/loading.h"
#include "inference/models/registry.h"
#include "inference/models/seq2seq.h"
#include "inference/models/seq2seq_ops.h"
#include "inference/models/weights.h"
#include "inference/ops/elementwise.h"
#include "inference/ops/gemm.h"
#include "inference/ops/norm.h"
#include "inference/ops/parallel.h"

namespace hub::inference {

namespace {

struct BartConfig {
  int64_t vocab = 0, d_model = 0, enc_layers = 0, dec_layers = 0, enc_heads = 0, dec_heads = 0;
  int64_t enc_ffn = 0, dec_ffn = 0, max_pos = 0;
  float embed_scale = 1.0f;
  ops::Activation act = ops::Activation::gelu_erf;
  bool tied = true;
};

struct Attn {
  layers::Linear q, k, v, o;
  layers::Norm norm;  // the LayerNorm after its residual
};
struct BartLayer {
  Attn self, cross;  // cross: decoder only
  layers::Linear fc1, fc2;
  layers::Norm ff_norm;
};
struct BartWeights {
  Tensor shared, lm_head, final_bias;  // final_bias [vocab] (zeros when absent)
  Tensor enc_pos, dec_pos;             // [max_pos + 2, d_model]
  layers::Norm enc_ln_emb, dec_ln_emb;
  std::vector<BartLayer> enc, dec;
};

constexpr float kLnEps = 1e-5f;

void linear(const float* x, int64_t rows, const layers::Linear& l, float* y,
            ops::Activation act = ops::Activation::none) {
  ops::linear(x, rows, l.in(), l.weight.data(), l.out(), l.bias.empty_tensor() ? nullptr : l.bias.data(), y, act);
}

void norm(float* x, int64_t rows, const layers::Norm& n, int64_t d) {
  ops::layer_norm(x, nullptr, rows, d, n.weight.data(), n.bias.data(), n.eps);
}

class BartModel final : public Seq2SeqLM {
 public:
  BartModel(Seq2SeqConfig sc, BartConfig c, BartWeights w) : sc_(std::move(sc)), c_(c), w_(std::move(w)) {}
  const Seq2SeqConfig& config() const override { return sc_; }

  Result<Tensor> encoder_hidden(std::span<const int32_t> ids) const override {
    if (ids.empty()) return fail(Errc::invalid_argument, "no input tokens");
    if (int64_t(ids.size()) > sc_.max_source_tokens)
      return fail(Errc::invalid_argument, "the input has " + std::to_string(ids.size()) +
                                              " tokens, more than this model's " + std::to_string(sc_.max_source_tokens));
    for (int32_t id : ids)
      if (id < 0 || id >= c_.vocab) return fail(Errc::invalid_argument, "token id " + std::to_string(id) + " out of range");
    const int64_t n = int64_t(ids.size()), D = c_.d_model, H = c_.enc_heads, hd = D / H;
    Tensor xt = Tensor::empty(Shape{n, D});
    float* x = xt.data();
    embed(ids, 0, w_.enc_pos, x);
    norm(x, n, w_.enc_ln_emb, D);
    std::vector<float> q(static_cast<size_t>(n * D)), k(q.size()), v(q.size()), att(q.size()), o(q.size());
    std::vector<float> ff(static_cast<size_t>(n * c_.enc_ffn));
    const float scale = float(1.0 / std::sqrt(double(hd)));
    for (const auto& L : w_.enc) {
      linear(x, n, L.self.q, q.data());
      linear(x, n, L.self.k, k.data());
      linear(x, n, L.self.v, v.data());
      ops::parallel_for(n * H, 1, [&](int64_t b, int64_t e) {
        std::vector<float> sc(static_cast<size_t>(n));
        for (int64_t idx = b; idx < e; ++idx) {
          const int64_t i = idx / H, h = idx % H;
          models::attend_row(q.data() + i * D + h * hd, k.data() + h * hd, v.data() + h * hd, att.data() + i * D + h * hd,
                             n, D, hd, scale, nullptr, sc.data());
        }
      });
      linear(att.data(), n, L.self.o, o.data());
      ops::add_inplace(x, o.data(), n * D);
      norm(x, n, L.self.norm, D);
      linear(x, n, L.fc1, ff.data(), c_.act);
      linear(ff.data(), n, L.fc2, o.data());
      ops::add_inplace(x, o.data(), n * D);
      norm(x, n, L.ff_norm, D);
    }
    return xt;
  }

  Result<std::shared_ptr<const EncoderStates>> encode(std::span<const int32_t> ids) const override {
    HUB_TRY(x, encoder_hidden(ids));
    const int64_t n = int64_t(ids.size()), D = c_.d_model;
    auto st = std::make_shared<EncoderStates>();
    st->length = n;
    st->keys.resize(size_t(c_.dec_layers));
    st->values.resize(size_t(c_.dec_layers));
    for (int64_t li = 0; li < c_.dec_layers; ++li) {
      st->keys[size_t(li)].resize(size_t(n * D));
      st->values[size_t(li)].resize(size_t(n * D));
      linear(x.data(), n, w_.dec[size_t(li)].cross.k, st->keys[size_t(li)].data());
      linear(x.data(), n, w_.dec[size_t(li)].cross.v, st->values[size_t(li)].data());
    }
    return std::shared_ptr<const EncoderStates>(std::move(st));
  }

  Result<Tensor> decode_step(std::span<const int32_t> tokens, std::span<Seq2SeqState* const> states) const override;

  size_t weight_bytes() const override {
    auto f = [](const Tensor& t) { return t.empty_tensor() ? size_t(0) : size_t(t.numel()) * sizeof(float); };
    size_t n = f(w_.shared) + f(w_.final_bias) + f(w_.enc_pos) + f(w_.dec_pos);
    if (!c_.tied) n += f(w_.lm_head);
    for (const auto* nm : {&w_.enc_ln_emb, &w_.dec_ln_emb}) n += f(nm->weight) + f(nm->bias);
    for (const auto* stack : {&w_.enc, &w_.dec})
      for (const auto& L : *stack) {
        for (const layers::Linear* p : {&L.self.q, &L.self.k, &L.self.v, &L.self.o, &L.cross.q, &L.cross.k,
                                        &L.cross.v, &L.cross.o, &L.fc1, &L.fc2})
          n += f(p->weight) + f(p->bias);
        for (const layers::Norm* p : {&L.self.norm, &L.cross.norm, &L.ff_norm}) n += f(p->weight) + f(p->bias);
      }
    return n;
  }

 private:
  Seq2SeqConfig sc_;
  BartConfig c_;
  BartWeights w_;

  // Token embeddings (scaled) plus learned positions pos0.. (offset 2, as BART's table).
  void embed(std::span<const int32_t> ids, int64_t pos0, const Tensor& pos, float* x) const {
    const int64_t D = c_.d_model;
    ops::embedding_gather(w_.shared.data(), D, ids.data(), int64_t(ids.size()), x);
    for (size_t i = 0; i < ids.size(); ++i) {
      float* row = x + int64_t(i) * D;
      const float* p = pos.data() + (pos0 + int64_t(i) + 2) * D;
      for (int64_t d = 0; d < D; ++d) row[d] = row[d] * c_.embed_scale + p[d];
    }
  }
};

Result<Tensor> BartModel::decode_step(std::span<const int32_t> tokens, std::span<Seq2SeqState* const> states) const {
  if (auto ok = models::begin_decode_step(tokens, states, c_.vocab); !ok) return std::unexpected(ok.error());
  const int64_t B = int64_t(tokens.size());
  const int64_t D = c_.d_model, H = c_.dec_heads, hd = D / H, F = c_.dec_ffn;
  std::vector<float> x(static_cast<size_t>(B * D)), q(x.size()), kn(x.size()), vn(x.size()), att(x.size()), o(x.size());
  std::vector<float> ff(static_cast<size_t>(B * F));
  for (int64_t i = 0; i < B; ++i)
    embed(tokens.subspan(size_t(i), 1), states[size_t(i)]->cache.length(), w_.dec_pos, x.data() + i * D);
  norm(x.data(), B, w_.dec_ln_emb, D);
  const float scale = float(1.0 / std::sqrt(double(hd)));
  for (int64_t li = 0; li < c_.dec_layers; ++li) {
    const auto& L = w_.dec[size_t(li)];
    linear(x.data(), B, L.self.q, q.data());
    linear(x.data(), B, L.self.k, kn.data());
    linear(x.data(), B, L.self.v, vn.data());
    models::self_attention_step(states, li, q.data(), kn.data(), vn.data(), att.data(), H, hd, scale,
                                [](int64_t, int64_t, int64_t) -> const float* { return nullptr; });
    linear(att.data(), B, L.self.o, o.data());
    ops::add_inplace(x.data(), o.data(), B * D);
    norm(x.data(), B, L.self.norm, D);
    linear(x.data(), B, L.cross.q, q.data());
    models::cross_attention_step(states, li, q.data(), att.data(), H, hd, scale);
    linear(att.data(), B, L.cross.o, o.data());
    ops::add_inplace(x.data(), o.data(), B * D);
    norm(x.data(), B, L.cross.norm, D);
    linear(x.data(), B, L.fc1, ff.data(), c_.act);
    linear(ff.data(), B, L.fc2, o.data());
    ops::add_inplace(x.data(), o.data(), B * D);
    norm(x.data(), B, L.ff_norm, D);
  }
  for (auto* st : states) st->cache.advance(1);
  Tensor logits = Tensor::empty(Shape{B, c_.vocab});
  ops::linear(x.data(), B, D, w_.lm_head.data(), c_.vocab, w_.final_bias.data(), logits.data(), ops::Activation::none);
  return logits;
}

Result<BartConfig> bart_config(const boost::json::object& cfg) {
  using models::config_int;
  BartConfig c;
  HUB_TRY(vocab, config_int(cfg, "vocab_size", 50265, 1, 1 << 22));
  HUB_TRY(d, config_int(cfg, "d_model", 1024, 1, 1 << 15));
  HUB_TRY(el, config_int(cfg, "encoder_layers", 12, 1, 256));
  HUB_TRY(dl, config_int(cfg, "decoder_layers", 12, 1, 256));
  HUB_TRY(eh, config_int(cfg, "encoder_attention_heads", 16, 1, 256));
  HUB_TRY(dh, config_int(cfg, "decoder_attention_heads", 16, 1, 256));
  HUB_TRY(ef, config_int(cfg, "encoder_ffn_dim", 4096, 1, 1 << 17));
  HUB_TRY(df, config_int(cfg, "decoder_ffn_dim", 4096, 1, 1 << 17));
  HUB_TRY(mp, config_int(cfg, "max_position_embeddings", 1024, 1, 1 << 16));
  if (d % eh != 0 || d % dh != 0) return fail(Errc::invalid_argument, "config.json: d_model is not a multiple of the heads");
  auto act = models::config_activation(cfg, "activation_function", "gelu");
  if (!act) return std::unexpected(act.error());
  if (json::get_bool(cfg, "add_final_layer_norm").value_or(false) || json::get_bool(cfg, "normalize_before").value_or(false))
    return fail(Errc::unsupported, "pre-LayerNorm BART variants (mBART) are not supported yet");
  c.vocab = vocab, c.d_model = d, c.enc_layers = el, c.dec_layers = dl, c.enc_heads = eh, c.dec_heads = dh;
  c.enc_ffn = ef, c.dec_ffn = df, c.max_pos = mp, c.act = *act;
  c.embed_scale = json::get_bool(cfg, "scale_embedding").value_or(false) ? float(std::sqrt(double(d))) : 1.0f;
  c.tied = json::get_bool(cfg, "tie_word_embeddings").value_or(true);
  return c;
}

Result<Attn> bind_attn(const models::WeightBinder& wb, const std::string& p, const std::string& ln, int64_t d) {
  Attn a;
  HUB_TRY(q, wb.linear(p + ".q_proj", d, d));
  HUB_TRY(k, wb.linear(p + ".k_proj", d, d));
  HUB_TRY(v, wb.linear(p + ".v_proj", d, d));
  HUB_TRY(o, wb.linear(p + ".out_proj", d, d));
  HUB_TRY(n, wb.norm(ln, d, kLnEps));
  a.q = std::move(q), a.k = std::move(k), a.v = std::move(v), a.o = std::move(o), a.norm = std::move(n);
  return a;
}

Result<BartWeights> bart_weights(const BartConfig& c, const safetensors::Checkpoint& ckpt) {
  models::WeightBinder wb(ckpt);
  BartWeights w;
  const int64_t D = c.d_model;
  const std::string m = wb.has("model.shared.weight") || wb.has("model.encoder.embed_tokens.weight") ? "model." : "";
  const std::string emb = wb.has(m + "shared.weight") ? m + "shared.weight" : m + "encoder.embed_tokens.weight";
  HUB_TRY(shared, wb.tensor(emb, Shape{c.vocab, D}));
  w.shared = std::move(shared);
  if (c.tied) {
    w.lm_head = w.shared;
  } else {
    HUB_TRY(head, wb.tensor("lm_head.weight", Shape{c.vocab, D}));
    w.lm_head = std::move(head);
  }
  if (wb.has("final_logits_bias")) {
    HUB_TRY(fb, wb.tensor("final_logits_bias", Shape{1, c.vocab}));
    w.final_bias = std::move(fb);
  } else {
    w.final_bias = Tensor::zeros(Shape{1, c.vocab});
  }
  for (const char* stack : {"encoder", "decoder"}) {
    const bool dec = std::string_view(stack) == "decoder";
    const std::string p = m + stack + ".";
    HUB_TRY(pos, wb.tensor(p + "embed_positions.weight", Shape{c.max_pos + 2, D}));
    HUB_TRY(lne, wb.norm(p + "layernorm_embedding", D, kLnEps));
    (dec ? w.dec_pos : w.enc_pos) = std::move(pos);
    (dec ? w.dec_ln_emb : w.enc_ln_emb) = std::move(lne);
    const int64_t n = dec ? c.dec_layers : c.enc_layers, F = dec ? c.dec_ffn : c.enc_ffn;
    for (int64_t i = 0; i < n; ++i) {
      const std::string l = p + "layers." + std::to_string(i) + ".";
      BartLayer L;
      HUB_TRY(self, bind_attn(wb, l + "self_attn", l + "self_attn_layer_norm", D));
      L.self = std::move(self);
      if (dec) {
        HUB_TRY(cross, bind_attn(wb, l + "encoder_attn", l + "encoder_attn_layer_norm", D));
        L.cross = std::move(cross);
      }
      HUB_TRY(fc1, wb.linear(l + "fc1", D, F));
      HUB_TRY(fc2, wb.linear(l + "fc2", F, D));
      HUB_TRY(fn, wb.norm(l + "final_layer_norm", D, kLnEps));
      L.fc1 = std::move(fc1), L.fc2 = std::move(fc2), L.ff_norm = std::move(fn);
      (dec ? w.dec : w.enc).push_back(std::move(L));
    }
  }
  return w;
}

Result<void> bart_check_shapes(const BartConfig& c, const safetensors::Checkpoint& ckpt) {
  const std::string m = ckpt.contains("model.encoder.layers.0.fc1.weight") ? "model." : "";
  for (const auto& [name, shape] : std::initializer_list<std::pair<std::string, Shape>>{
           {m + "encoder.layers.0.fc1.weight", Shape{c.enc_ffn, c.d_model}},
           {m + "encoder.layers." + std::to_string(c.enc_layers - 1) + ".fc2.weight", Shape{c.d_model, c.enc_ffn}},
           {m + "decoder.layers." + std::to_string(c.dec_layers - 1) + ".fc1.weight", Shape{c.dec_ffn, c.d_model}},
           {m + "decoder.embed_positions.weight", Shape{c.max_pos + 2, c.d_model}}})
    if (auto ok = models::expect_shape(ckpt, name, shape); !ok) return ok;
  for (const char* stack : {"encoder", "decoder"}) {
    const int64_t n = std::string_view(stack) == "encoder" ? c.enc_layers : c.dec_layers;
    if (ckpt.contains(m + stack + ".layers." + std::to_string(n) + ".fc1.weight"))
      return fail(Errc::corrupt, std::string("config.json: the ") + stack + " has more layers than the config says");
  }
  return {};
}

}  // namespace

Result<std::shared_ptr<Model>> models::load_bart(const LoadContext& ctx) {
  HUB_TRY(c, bart_config(ctx.config));
  Seq2SeqConfig sc;
  sc.model_type = ctx.model_type;
  sc.architecture = ctx.architecture;
  sc.vocab_size = c.vocab, sc.d_model = c.d_model, sc.num_decoder_layers = c.dec_layers, sc.kv_dim = c.d_model;
  // Learned positions bound both sides.
  sc.max_source_tokens = sc.max_target_tokens = c.max_pos;
  HUB_TRY(pad, config_int(ctx.config, "pad_token_id", 1, 0, c.vocab - 1));
  sc.pad_token_id = int32_t(pad);
  HUB_TRY(start, config_int(ctx.config, "decoder_start_token_id", 2, 0, c.vocab - 1));
  sc.decoder_start_token_id = int32_t(start);
  read_ids(json::find(ctx.config, "eos_token_id"), sc.eos_token_ids);
  if (sc.eos_token_ids.empty() && !json::find(ctx.config, "eos_token_id")) sc.eos_token_ids = {2};
  sc.raw = ctx.config;
  HUB_TRY(gen, read_generation_config(ctx.dir));
  sc.generation = std::move(gen);
  HUB_TRY(ckpt, safetensors::Checkpoint::open_dir(ctx.dir));
  if (auto ok = bart_check_shapes(c, ckpt); !ok) return std::unexpected(ok.error());
  Seq2SeqShape shape{c.vocab, c.d_model, c.d_model, std::max(c.enc_ffn, c.dec_ffn), c.enc_layers, c.dec_layers,
                     std::max(c.enc_heads, c.dec_heads), sc.max_source_tokens, sc.max_target_tokens};
  const auto memory = estimate_seq2seq_memory(shape, held_weight_bytes(ckpt, false), ctx.opts.limits);
  if (auto ok = check_memory_budget(memory, ctx.opts.limits); !ok) return std::unexpected(ok.error());
  HUB_TRY(w, bart_weights(c, ckpt));
  HUB_TRY(tok, load_tokenizer_json(ctx.dir, ctx.opts.load_tokenizer));
  auto lm = std::make_shared<BartModel>(std::move(sc), c, std::move(w));
  lm->set_tokenizer(std::move(tok));
  ModelConfig mc;
  mc.kind = ModelKind::encoder_decoder;
  mc.model_type = ctx.model_type;
  mc.architecture = ctx.architecture;
  mc.raw = ctx.config;
  auto model = std::make_shared<Model>(std::move(mc), std::shared_ptr<const Seq2SeqLM>(std::move(lm)));
  model->set_memory(memory);
  return model;
}

}  // namespace hub::inference
