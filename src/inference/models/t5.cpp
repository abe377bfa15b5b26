// T5 (T5ForConditionalGeneration; v1.0 with ReLU and tied, d_model^-0.5-scaled lm_head; v1.1
// / Flan with gated-GELU and an untied lm_head): RMS LayerNorm without bias, attention without
// 1/sqrt(d) scaling, relative position buckets learnt by each stack's first layer and shared by
// its other layers (bidirectional in the encoder, causal in the decoder), no bias in
// cross-attention. Joins the registry as models::load_t5.
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

struct T5Config {
  int64_t vocab = 0, d_model = 0, d_kv = 0, d_ff = 0, enc_layers = 0, dec_layers = 0, heads = 0;
  int64_t buckets = 32, max_distance = 128;
  float eps = 1e-6f;
  bool gated = false, tied = true;
  ops::Activation act = ops::Activation::relu;
  int64_t inner() const { return heads * d_kv; }
};

struct Attn {
  layers::Linear q, k, v, o;
};
struct FF {
  layers::Linear wi, wi1, wo;  // wi1: the gated variant's linear branch (wi_1), else empty
};
struct T5Layer {
  Tensor ln_self, ln_cross, ln_ff;  // [d_model]; ln_cross decoder only
  Attn self, cross;                 // cross decoder only
  FF ff;
};
struct T5Weights {
  Tensor shared;      // [vocab, d_model]
  Tensor lm_head;     // [vocab, d_model] (shared when tied)
  Tensor enc_bias, dec_bias;  // relative_attention_bias [buckets, heads]
  std::vector<T5Layer> enc, dec;
  Tensor enc_final, dec_final;
};

// transformers' _relative_position_bucket, in float32 as it computes the log.
int64_t relative_bucket(int64_t rel, bool bidirectional, int64_t buckets, int64_t max_distance) {
  int64_t ret = 0;
  if (bidirectional) {
    buckets /= 2;
    if (rel > 0) ret += buckets;
    rel = rel < 0 ? -rel : rel;
  } else {
    rel = rel < 0 ? -rel : 0;
  }
  const int64_t max_exact = buckets / 2;
  if (rel < max_exact) return ret + rel;
  const float f = std::log(float(rel) / float(max_exact)) /
                  float(std::log(double(max_distance) / double(max_exact))) * float(buckets - max_exact);
  int64_t large = max_exact + int64_t(f);
  return ret + std::min<int64_t>(large, buckets - 1);
}

void linear(const float* x, int64_t rows, const layers::Linear& l, float* y,
            ops::Activation act = ops::Activation::none) {
  ops::linear(x, rows, l.in(), l.weight.data(), l.out(), nullptr, y, act);
}

class T5Model final : public Seq2SeqLM {
 public:
  T5Model(Seq2SeqConfig sc, T5Config c, T5Weights w) : sc_(std::move(sc)), c_(c), w_(std::move(w)) {}
  const Seq2SeqConfig& config() const override { return sc_; }

  Result<Tensor> encoder_hidden(std::span<const int32_t> ids) const override {
    if (auto ok = check_source(ids); !ok) return std::unexpected(ok.error());
    const int64_t n = int64_t(ids.size()), D = c_.d_model;
    Tensor x = Tensor::empty(Shape{n, D});
    run_encoder(ids, x.data());
    return x;
  }

  Result<std::shared_ptr<const EncoderStates>> encode(std::span<const int32_t> ids) const override {
    HUB_TRY(x, encoder_hidden(ids));
    const int64_t n = int64_t(ids.size()), inner = c_.inner();
    auto st = std::make_shared<EncoderStates>();
    st->length = n;
    st->keys.resize(size_t(c_.dec_layers));
    st->values.resize(size_t(c_.dec_layers));
    for (int64_t li = 0; li < c_.dec_layers; ++li) {
      const auto& L = w_.dec[size_t(li)];
      st->keys[size_t(li)].resize(size_t(n * inner));
      st->values[size_t(li)].resize(size_t(n * inner));
      linear(x.data(), n, L.cross.k, st->keys[size_t(li)].data());
      linear(x.data(), n, L.cross.v, st->values[size_t(li)].data());
    }
    return std::shared_ptr<const EncoderStates>(std::move(st));
  }

  Result<Tensor> decode_step(std::span<const int32_t> tokens, std::span<Seq2SeqState* const> states) const override;

  size_t weight_bytes() const override {
    auto f = [](const Tensor& t) { return t.empty_tensor() ? size_t(0) : size_t(t.numel()) * sizeof(float); };
    size_t n = f(w_.shared) + f(w_.enc_bias) + f(w_.dec_bias) + f(w_.enc_final) + f(w_.dec_final);
    if (!c_.tied) n += f(w_.lm_head);
    for (const auto* stack : {&w_.enc, &w_.dec})
      for (const auto& L : *stack) {
        n += f(L.ln_self) + f(L.ln_cross) + f(L.ln_ff);
        for (const layers::Linear* p : {&L.self.q, &L.self.k, &L.self.v, &L.self.o, &L.cross.q, &L.cross.k,
                                        &L.cross.v, &L.cross.o, &L.ff.wi, &L.ff.wi1, &L.ff.wo})
          n += f(p->weight) + f(p->bias);  // (Linear::bytes() counts an absent bias as one float)
      }
    return n;
  }

 private:
  Seq2SeqConfig sc_;
  T5Config c_;
  T5Weights w_;

  Result<void> check_source(std::span<const int32_t> ids) const {
    if (ids.empty()) return fail(Errc::invalid_argument, "no input tokens");
    if (int64_t(ids.size()) > sc_.max_source_tokens)
      return fail(Errc::invalid_argument, "the input has " + std::to_string(ids.size()) +
                                              " tokens, more than this model's " +
                                              std::to_string(sc_.max_source_tokens));
    for (int32_t id : ids)
      if (id < 0 || id >= c_.vocab) return fail(Errc::invalid_argument, "token id " + std::to_string(id) + " out of range");
    return {};
  }

  void feed_forward(const FF& ff, const float* h, int64_t n, float* out, std::vector<float>& buf) const {
    const int64_t F = c_.d_ff;
    buf.resize(size_t(2 * n * F));
    float* a = buf.data();
    float* b = a + n * F;
    linear(h, n, ff.wi, a, c_.act);
    if (c_.gated) {
      linear(h, n, ff.wi1, b);
      ops::mul(a, b, a, n * F);
    }
    linear(a, n, ff.wo, out);
  }

  void run_encoder(std::span<const int32_t> ids, float* x) const {
    const int64_t n = int64_t(ids.size()), D = c_.d_model, inner = c_.inner(), H = c_.heads, hd = c_.d_kv;
    ops::embedding_gather(w_.shared.data(), D, ids.data(), n, x);
    // Position bias [H, n, n] from the first layer's table, shared by all layers.
    std::vector<float> bias(static_cast<size_t>(H * n * n));
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const int64_t b = relative_bucket(j - i, true, c_.buckets, c_.max_distance);
        for (int64_t h = 0; h < H; ++h) bias[size_t((h * n + i) * n + j)] = w_.enc_bias.data()[b * H + h];
      }
    std::vector<float> h(size_t(n * D)), q(size_t(n * inner)), k(size_t(n * inner)), v(size_t(n * inner)),
        att(size_t(n * inner)), o(size_t(n * D)), ffbuf;
    for (const auto& L : w_.enc) {
      std::memcpy(h.data(), x, size_t(n * D) * sizeof(float));
      ops::rms_norm(h.data(), n, D, L.ln_self.data(), c_.eps);
      linear(h.data(), n, L.self.q, q.data());
      linear(h.data(), n, L.self.k, k.data());
      linear(h.data(), n, L.self.v, v.data());
      ops::parallel_for(n * H, 1, [&](int64_t b, int64_t e) {
        std::vector<float> sc(static_cast<size_t>(n));
        for (int64_t idx = b; idx < e; ++idx) {
          const int64_t i = idx / H, hh = idx % H;
          models::attend_row(q.data() + i * inner + hh * hd, k.data() + hh * hd, v.data() + hh * hd,
                 att.data() + i * inner + hh * hd, n, inner, hd, 1.0f, bias.data() + (hh * n + i) * n, sc.data());
        }
      });
      linear(att.data(), n, L.self.o, o.data());
      ops::add_inplace(x, o.data(), n * D);
      std::memcpy(h.data(), x, size_t(n * D) * sizeof(float));
      ops::rms_norm(h.data(), n, D, L.ln_ff.data(), c_.eps);
      feed_forward(L.ff, h.data(), n, o.data(), ffbuf);
      ops::add_inplace(x, o.data(), n * D);
    }
    ops::rms_norm(x, n, D, w_.enc_final.data(), c_.eps);
  }
};

Result<Tensor> T5Model::decode_step(std::span<const int32_t> tokens, std::span<Seq2SeqState* const> states) const {
  if (auto ok = models::begin_decode_step(tokens, states, c_.vocab); !ok) return std::unexpected(ok.error());
  const int64_t B = int64_t(tokens.size());
  const int64_t D = c_.d_model, inner = c_.inner(), H = c_.heads, hd = c_.d_kv;
  std::vector<float> x(size_t(B * D)), h(size_t(B * D)), q(size_t(B * inner)), kn(size_t(B * inner)),
      vn(size_t(B * inner)), att(size_t(B * inner)), o(size_t(B * D)), ffbuf;
  ops::embedding_gather(w_.shared.data(), D, tokens.data(), B, x.data());
  // Causal position bias of each state's new query row against its keys 0..pos: [B][H][pos+1].
  std::vector<std::vector<float>> bias(static_cast<size_t>(B));
  for (int64_t i = 0; i < B; ++i) {
    const int64_t pos = states[size_t(i)]->cache.length();
    auto& bi = bias[size_t(i)];
    bi.resize(size_t(H * (pos + 1)));
    for (int64_t j = 0; j <= pos; ++j) {
      const int64_t b = relative_bucket(j - pos, false, c_.buckets, c_.max_distance);
      for (int64_t hh = 0; hh < H; ++hh) bi[size_t(hh * (pos + 1) + j)] = w_.dec_bias.data()[b * H + hh];
    }
  }
  for (int64_t li = 0; li < c_.dec_layers; ++li) {
    const auto& L = w_.dec[size_t(li)];
    // Self-attention over each hypothesis' own cache.
    h = x;
    ops::rms_norm(h.data(), B, D, L.ln_self.data(), c_.eps);
    linear(h.data(), B, L.self.q, q.data());
    linear(h.data(), B, L.self.k, kn.data());
    linear(h.data(), B, L.self.v, vn.data());
    models::self_attention_step(states, li, q.data(), kn.data(), vn.data(), att.data(), H, hd, 1.0f,
                                [&](int64_t i, int64_t hh, int64_t len) { return bias[size_t(i)].data() + hh * len; });
    linear(att.data(), B, L.self.o, o.data());
    ops::add_inplace(x.data(), o.data(), B * D);
    // Cross-attention over the source's projected keys/values (no position bias, no mask).
    h = x;
    ops::rms_norm(h.data(), B, D, L.ln_cross.data(), c_.eps);
    linear(h.data(), B, L.cross.q, q.data());
    models::cross_attention_step(states, li, q.data(), att.data(), H, hd, 1.0f);
    linear(att.data(), B, L.cross.o, o.data());
    ops::add_inplace(x.data(), o.data(), B * D);
    h = x;
    ops::rms_norm(h.data(), B, D, L.ln_ff.data(), c_.eps);
    feed_forward(L.ff, h.data(), B, o.data(), ffbuf);
    ops::add_inplace(x.data(), o.data(), B * D);
  }
  for (auto* st : states) st->cache.advance(1);
  ops::rms_norm(x.data(), B, D, w_.dec_final.data(), c_.eps);
  // The tied head reads the embedding: transformers rescales by d_model^-0.5 first.
  if (c_.tied) {
    const float s = float(1.0 / std::sqrt(double(D)));
    for (auto& v : x) v *= s;
  }
  Tensor logits = Tensor::empty(Shape{B, c_.vocab});
  ops::linear(x.data(), B, D, w_.lm_head.data(), c_.vocab, nullptr, logits.data(), ops::Activation::none);
  return logits;
}

Result<T5Config> t5_config(const boost::json::object& cfg) {
  using models::config_int;
  T5Config c;
  HUB_TRY(vocab, config_int(cfg, "vocab_size", 32128, 1, 1 << 22));
  HUB_TRY(d_model, config_int(cfg, "d_model", 512, 1, 1 << 15));
  HUB_TRY(d_kv, config_int(cfg, "d_kv", 64, 1, 1 << 12));
  HUB_TRY(d_ff, config_int(cfg, "d_ff", 2048, 1, 1 << 17));
  HUB_TRY(layers, config_int(cfg, "num_layers", 6, 1, 256));
  HUB_TRY(dec_layers, config_int(cfg, "num_decoder_layers", layers, 1, 256));
  HUB_TRY(heads, config_int(cfg, "num_heads", 8, 1, 256));
  HUB_TRY(buckets, config_int(cfg, "relative_attention_num_buckets", 32, 2, 4096));
  HUB_TRY(maxdist, config_int(cfg, "relative_attention_max_distance", 128, 2, 1 << 20));
  HUB_TRY(eps, models::config_float(cfg, "layer_norm_epsilon", 1e-6));
  if (!(eps > 0 && eps < 1)) return fail(Errc::invalid_argument, "config.json: layer_norm_epsilon out of range");
  if (buckets / 2 / 2 < 1 || maxdist <= buckets / 4)
    return fail(Errc::invalid_argument, "config.json: relative attention buckets/max_distance out of range");
  c.vocab = vocab, c.d_model = d_model, c.d_kv = d_kv, c.d_ff = d_ff, c.enc_layers = layers;
  c.dec_layers = dec_layers, c.heads = heads, c.buckets = buckets, c.max_distance = maxdist, c.eps = eps;
  // feed_forward_proj: "relu", "gelu", or "gated-<act>"; "gated-gelu" means gelu_new (tanh) as
  // transformers' T5Config maps it.
  std::string proj(json::get_string(cfg, "feed_forward_proj").value_or("relu"));
  c.gated = proj.starts_with("gated-");
  std::string act = c.gated ? proj.substr(6) : proj;
  if (proj == "gated-gelu") act = "gelu_new";
  auto a = ops::activation_from_name(act);
  if (!a) return fail(Errc::unsupported, "config.json: feed_forward_proj '" + proj + "' is not supported");
  c.act = *a;
  c.tied = json::get_bool(cfg, "tie_word_embeddings").value_or(true);
  return c;
}

Result<Attn> bind_attn(const models::WeightBinder& wb, const std::string& p, const T5Config& c) {
  Attn a;
  HUB_TRY(q, wb.linear(p + "q", c.d_model, c.inner(), false));
  HUB_TRY(k, wb.linear(p + "k", c.d_model, c.inner(), false));
  HUB_TRY(v, wb.linear(p + "v", c.d_model, c.inner(), false));
  HUB_TRY(o, wb.linear(p + "o", c.inner(), c.d_model, false));
  a.q = std::move(q), a.k = std::move(k), a.v = std::move(v), a.o = std::move(o);
  return a;
}

Result<FF> bind_ff(const models::WeightBinder& wb, const std::string& p, const T5Config& c) {
  FF f;
  if (c.gated) {
    HUB_TRY(wi, wb.linear(p + "wi_0", c.d_model, c.d_ff, false));
    HUB_TRY(wi1, wb.linear(p + "wi_1", c.d_model, c.d_ff, false));
    f.wi = std::move(wi), f.wi1 = std::move(wi1);
  } else {
    HUB_TRY(wi, wb.linear(p + "wi", c.d_model, c.d_ff, false));
    f.wi = std::move(wi);
  }
  HUB_TRY(wo, wb.linear(p + "wo", c.d_ff, c.d_model, false));
  f.wo = std::move(wo);
  return f;
}

Result<T5Weights> t5_weights(const T5Config& c, const safetensors::Checkpoint& ckpt) {
  models::WeightBinder wb(ckpt);
  T5Weights w;
  const Shape emb{c.vocab, c.d_model}, vec{c.d_model}, rel{c.buckets, c.heads};
  // shared.weight, or a checkpoint that kept only the stacks' (tied) copies.
  const std::string emb_name = wb.has("shared.weight") ? "shared.weight"
                               : wb.has("encoder.embed_tokens.weight") ? "encoder.embed_tokens.weight"
                                                                       : "decoder.embed_tokens.weight";
  HUB_TRY(shared, wb.tensor(emb_name, emb));
  w.shared = std::move(shared);
  if (c.tied) {
    w.lm_head = w.shared;
  } else {
    HUB_TRY(head, wb.tensor("lm_head.weight", emb));
    w.lm_head = std::move(head);
  }
  HUB_TRY(eb, wb.tensor("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", rel));
  HUB_TRY(db, wb.tensor("decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", rel));
  w.enc_bias = std::move(eb), w.dec_bias = std::move(db);
  for (int64_t i = 0; i < c.enc_layers; ++i) {
    const std::string p = "encoder.block." + std::to_string(i) + ".layer.";
    T5Layer L;
    HUB_TRY(ln0, wb.tensor(p + "0.layer_norm.weight", vec));
    HUB_TRY(att, bind_attn(wb, p + "0.SelfAttention.", c));
    HUB_TRY(ln1, wb.tensor(p + "1.layer_norm.weight", vec));
    HUB_TRY(ff, bind_ff(wb, p + "1.DenseReluDense.", c));
    L.ln_self = std::move(ln0), L.self = std::move(att), L.ln_ff = std::move(ln1), L.ff = std::move(ff);
    w.enc.push_back(std::move(L));
  }
  for (int64_t i = 0; i < c.dec_layers; ++i) {
    const std::string p = "decoder.block." + std::to_string(i) + ".layer.";
    T5Layer L;
    HUB_TRY(ln0, wb.tensor(p + "0.layer_norm.weight", vec));
    HUB_TRY(att, bind_attn(wb, p + "0.SelfAttention.", c));
    HUB_TRY(ln1, wb.tensor(p + "1.layer_norm.weight", vec));
    HUB_TRY(cross, bind_attn(wb, p + "1.EncDecAttention.", c));
    HUB_TRY(ln2, wb.tensor(p + "2.layer_norm.weight", vec));
    HUB_TRY(ff, bind_ff(wb, p + "2.DenseReluDense.", c));
    L.ln_self = std::move(ln0), L.self = std::move(att), L.ln_cross = std::move(ln1);
    L.cross = std::move(cross), L.ln_ff = std::move(ln2), L.ff = std::move(ff);
    w.dec.push_back(std::move(L));
  }
  HUB_TRY(ef, wb.tensor("encoder.final_layer_norm.weight", vec));
  HUB_TRY(df, wb.tensor("decoder.final_layer_norm.weight", vec));
  w.enc_final = std::move(ef), w.dec_final = std::move(df);
  return w;
}

// The config's sizes against the header (first and last blocks, one past the last), before
// anything loads.
Result<void> t5_check_shapes(const T5Config& c, const safetensors::Checkpoint& ckpt) {
  using models::expect_shape;
  const std::string e = "encoder.block." + std::to_string(c.enc_layers - 1) + ".layer.0.SelfAttention.q.weight";
  const std::string d = "decoder.block." + std::to_string(c.dec_layers - 1) + ".layer.1.EncDecAttention.k.weight";
  for (const auto& [name, shape] : std::initializer_list<std::pair<std::string, Shape>>{
           {"encoder.block.0.layer.0.SelfAttention.q.weight", Shape{c.inner(), c.d_model}},
           {"encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight", Shape{c.buckets, c.heads}},
           {e, Shape{c.inner(), c.d_model}},
           {d, Shape{c.inner(), c.d_model}},
           {"decoder.block.0.layer.2.DenseReluDense.wo.weight", Shape{c.d_model, c.d_ff}}})
    if (auto ok = expect_shape(ckpt, name, shape); !ok) return ok;
  for (const char* stack : {"encoder", "decoder"}) {
    const int64_t n = std::string_view(stack) == "encoder" ? c.enc_layers : c.dec_layers;
    if (ckpt.contains(std::string(stack) + ".block." + std::to_string(n) + ".layer.0.SelfAttention.q.weight"))
      return fail(Errc::corrupt, std::string("config.json: the ") + stack + " has more layers than the config says");
  }
  return {};
}

}  // namespace

Seq2SeqState Seq2SeqLM::new_state(std::shared_ptr<const EncoderStates> source) const {
  Seq2SeqState s;
  s.source = std::move(source);
  s.cache = layers::KVCache(config().num_decoder_layers, config().max_target_tokens, config().kv_dim);
  return s;
}

Result<std::shared_ptr<Model>> models::load_t5(const LoadContext& ctx) {
  HUB_TRY(c, t5_config(ctx.config));
  Seq2SeqConfig sc;
  sc.model_type = ctx.model_type;
  sc.architecture = ctx.architecture;
  sc.vocab_size = c.vocab, sc.d_model = c.d_model, sc.num_decoder_layers = c.dec_layers, sc.kv_dim = c.inner();
  HUB_TRY(npos, config_int(ctx.config, "n_positions", 512, 1, 1 << 16));
  sc.max_source_tokens = sc.max_target_tokens = std::max<int64_t>(npos, 512);
  HUB_TRY(pad, config_int(ctx.config, "pad_token_id", 0, 0, c.vocab - 1));
  sc.pad_token_id = int32_t(pad);
  HUB_TRY(start, config_int(ctx.config, "decoder_start_token_id", pad, 0, c.vocab - 1));
  sc.decoder_start_token_id = int32_t(start);
  read_ids(json::find(ctx.config, "eos_token_id"), sc.eos_token_ids);
  if (sc.eos_token_ids.empty() && !json::find(ctx.config, "eos_token_id")) sc.eos_token_ids = {1};
  sc.raw = ctx.config;
  HUB_TRY(gen, read_generation_config(ctx.dir));
  sc.generation = std::move(gen);

  HUB_TRY(ckpt, safetensors::Checkpoint::open_dir(ctx.dir));
  if (auto ok = t5_check_shapes(c, ckpt); !ok) return std::unexpected(ok.error());
  Seq2SeqShape shape{c.vocab, c.d_model, c.inner(), c.d_ff, c.enc_layers, c.dec_layers, c.heads,
                     sc.max_source_tokens, sc.max_target_tokens};
  const auto memory = estimate_seq2seq_memory(shape, held_weight_bytes(ckpt, false), ctx.opts.limits);
  if (auto ok = check_memory_budget(memory, ctx.opts.limits); !ok) return std::unexpected(ok.error());
  HUB_TRY(w, t5_weights(c, ckpt));
  HUB_TRY(tok, load_tokenizer_json(ctx.dir, ctx.opts.load_tokenizer));
  auto lm = std::make_shared<T5Model>(std::move(sc), c, std::move(w));
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
