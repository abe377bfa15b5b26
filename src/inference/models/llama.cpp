// The Llama family's config.json mapping and weight binding (Llama, Mistral, Qwen2, and
// SmolLM / TinyLlama / stories-style configs, which use model_type "llama"); joins the
// registry as models::load_llama. Differences between the families are config fields: attention/MLP biases,
// sliding windows, rope scaling, tied embeddings. BF16 checkpoints keep their matrices bf16
// (zero-copy views; see linear_of below).
#include "inference/models/decoder.h"
#include "inference/models/loading.h"
#include "inference/models/memory.h"
#include "inference/models/registry.h"
#include "inference/models/weights.h"
#include "inference/safetensors/checkpoint.h"

namespace hub::inference {

namespace {

using models::config_int;

Result<void> read_rope_scaling(const boost::json::object& cfg, layers::RopeConfig& r) {
  const auto* v = json::find(cfg, "rope_scaling");
  if (!v || v->is_null()) return {};
  if (!v->is_object()) return fail(Errc::invalid_argument, "config.json: rope_scaling is not an object");
  const auto& o = v->get_object();
  std::string kind(json::get_string(o, "rope_type").value_or(json::get_string(o, "type").value_or("default")));
  r.factor = json::get_number(o, "factor").value_or(1.0);
  if (kind == "default") return {};
  if (!(r.factor >= 1.0 && r.factor < 1e6))
    return fail(Errc::invalid_argument, "config.json: rope_scaling.factor out of range");
  if (kind == "linear") {
    r.scaling = layers::RopeConfig::Scaling::linear;
  } else if (kind == "dynamic") {
    r.scaling = layers::RopeConfig::Scaling::dynamic;
  } else if (kind == "llama3") {
    r.scaling = layers::RopeConfig::Scaling::llama3;
    r.low_freq_factor = json::get_number(o, "low_freq_factor").value_or(1.0);
    r.high_freq_factor = json::get_number(o, "high_freq_factor").value_or(4.0);
    r.original_max_positions = json::get_int(o, "original_max_position_embeddings").value_or(8192);
    if (!(r.high_freq_factor > r.low_freq_factor && r.low_freq_factor > 0 && r.original_max_positions > 0))
      return fail(Errc::invalid_argument, "config.json: bad llama3 rope_scaling");
  } else {
    return fail(Errc::unsupported, "rope_scaling type '" + kind + "' is not supported");
  }
  return {};
}

Result<DecoderConfig> llama_config(boost::json::object cfg) {
  DecoderConfig c;
  c.model_type = std::string(json::get_string(cfg, "model_type").value_or(""));
  if (const auto* a = json::get_array(cfg, "architectures"); a && !a->empty() && (*a)[0].is_string())
    c.architecture = std::string((*a)[0].get_string());
  const bool qwen2 = c.model_type == "qwen2";
  HUB_TRY(vocab, config_int(cfg, "vocab_size", 32000, 1, 1 << 24));
  HUB_TRY(hidden, config_int(cfg, "hidden_size", 4096, 1, 1 << 16));
  HUB_TRY(inter, config_int(cfg, "intermediate_size", 11008, 1, 1 << 20));
  HUB_TRY(layers, config_int(cfg, "num_hidden_layers", 32, 1, 1024));
  HUB_TRY(heads, config_int(cfg, "num_attention_heads", 32, 1, 1024));
  HUB_TRY(kv, config_int(cfg, "num_key_value_heads", heads, 1, heads));
  HUB_TRY(hd, config_int(cfg, "head_dim", hidden / heads, 1, 1 << 12));
  HUB_TRY(maxpos, config_int(cfg, "max_position_embeddings", 2048, 1, 1 << 22));
  const double eps = json::get_number(cfg, "rms_norm_eps").value_or(1e-6);
  const double theta = json::get_number(cfg, "rope_theta").value_or(10000.0);
  HUB_TRY(act, models::config_activation(cfg, "hidden_act", "silu"));
  if (heads % kv != 0)
    return fail(Errc::invalid_argument, "config.json: num_attention_heads is not a multiple of num_key_value_heads");
  if (hd % 2 != 0) return fail(Errc::invalid_argument, "config.json: head_dim must be even");
  if (!(theta > 1 && theta < 1e12)) return fail(Errc::invalid_argument, "config.json: rope_theta out of range");
  if (!(eps > 0 && eps < 1)) return fail(Errc::invalid_argument, "config.json: rms_norm_eps out of range");
  c.vocab_size = vocab, c.hidden_size = hidden, c.intermediate_size = inter, c.num_layers = layers;
  c.num_heads = heads, c.num_kv_heads = kv, c.head_dim = hd, c.max_positions = maxpos;
  c.norm_eps = float(eps), c.act = act;
  c.rope.head_dim = c.rope.rotary_dim = hd;
  c.rope.theta = theta;
  if (auto f = json::get_number(cfg, "partial_rotary_factor"); f && *f != 1.0) {
    // Range first: converting a double outside int64's range (1e300, NaN) is undefined.
    const bool in_range = *f > 0 && *f < 1;
    int64_t rd = in_range ? int64_t(double(hd) * *f) : 0;
    if (!(rd > 0 && rd <= hd && rd % 2 == 0))
      return fail(Errc::invalid_argument, "config.json: bad partial_rotary_factor");
    c.rope.rotary_dim = rd;
  }
  if (auto r = read_rope_scaling(cfg, c.rope); !r) return std::unexpected(r.error());
  // A sliding window only changes attention beyond its width: serve up to it.
  const bool window = c.model_type == "mistral" ||
                      (qwen2 && json::get_bool(cfg, "use_sliding_window").value_or(false));
  if (window)
    if (auto w = json::get_int(cfg, "sliding_window"); w && *w > 0 && *w < c.max_positions)
      c.max_positions = *w;
  c.tie_embeddings = json::get_bool(cfg, "tie_word_embeddings").value_or(false);
  models::read_ids(json::find(cfg, "eos_token_id"), c.eos_token_ids);
  if (auto b = json::get_int(cfg, "bos_token_id")) c.bos_token_id = int32_t(*b);
  c.raw = std::move(cfg);
  return c;
}

bool stored_bf16(const safetensors::Checkpoint& ckpt, const std::string& name) {
  const auto* t = ckpt.find(name);
  return t && t->dtype == DType::bf16;
}

// A BF16 checkpoint matrix kept as bf16 (a zero-copy view), with its shape checked like
// WeightBinder::tensor does for f32 ones.
Result<Bf16Matrix> bf16_matrix(const safetensors::Checkpoint& ckpt, const std::string& name,
                               int64_t rows, int64_t cols) {
  const auto* t = ckpt.find(name);
  if (!t) return fail(Errc::corrupt, "missing weight '" + name + "'");
  if (t->shape.size() != 2 || t->shape[0] != rows || t->shape[1] != cols) {
    Shape got = t->shape.size() <= size_t(kMaxRank) ? Shape(std::span<const int64_t>(t->shape)) : Shape{-1};
    return fail(Errc::corrupt, "weight '" + name + "' has shape " + got.str() + ", config implies " +
                                   Shape{rows, cols}.str());
  }
  return ckpt.load_bf16(name);
}

// Decode streams every weight once per token: BF16 checkpoints keep their matrices bf16
// (half the bytes of f32, computed in f32). Biases stay f32.
Result<layers::Linear> linear_of(const models::WeightBinder& wb, const safetensors::Checkpoint& ckpt,
                                 const std::string& name, int64_t in, int64_t out, bool bias_required) {
  if (!stored_bf16(ckpt, name + ".weight")) return wb.linear(name, in, out, bias_required);
  layers::Linear l;
  HUB_TRY(w, bf16_matrix(ckpt, name + ".weight", out, in));
  l.weight_bf16 = std::move(w);
  if (bias_required || wb.has(name + ".bias")) {
    HUB_TRY(b, wb.tensor(name + ".bias", Shape{out}));
    l.bias = std::move(b);
  }
  return l;
}

Result<DecoderWeights> llama_weights(const DecoderConfig& c, const safetensors::Checkpoint& ckpt) {
  models::WeightBinder wb(ckpt);
  const std::string p = wb.find_prefix({"model.", ""}, "embed_tokens.weight").value_or("model.");
  const bool qwen2 = c.model_type == "qwen2";
  const bool attn_bias = json::get_bool(c.raw, "attention_bias").value_or(false);
  const bool mlp_bias = json::get_bool(c.raw, "mlp_bias").value_or(false);
  const int64_t H = c.hidden_size, qd = c.num_heads * c.head_dim, kvd = c.num_kv_heads * c.head_dim;
  DecoderWeights w;
  if (stored_bf16(ckpt, p + "embed_tokens.weight")) {
    HUB_TRY(embed, bf16_matrix(ckpt, p + "embed_tokens.weight", c.vocab_size, H));
    w.embed_bf16 = std::move(embed);
  } else {
    HUB_TRY(embed, wb.tensor(p + "embed_tokens.weight", Shape{c.vocab_size, H}));
    w.embed = embed;
  }
  for (int64_t i = 0; i < c.num_layers; ++i) {
    const std::string l = p + "layers." + std::to_string(i) + ".";
    DecoderLayerWeights L;
    HUB_TRY(an, wb.tensor(l + "input_layernorm.weight", Shape{H}));
    HUB_TRY(mn, wb.tensor(l + "post_attention_layernorm.weight", Shape{H}));
    HUB_TRY(q, linear_of(wb, ckpt, l + "self_attn.q_proj", H, qd, attn_bias || qwen2));
    HUB_TRY(k, linear_of(wb, ckpt, l + "self_attn.k_proj", H, kvd, attn_bias || qwen2));
    HUB_TRY(v, linear_of(wb, ckpt, l + "self_attn.v_proj", H, kvd, attn_bias || qwen2));
    HUB_TRY(o, linear_of(wb, ckpt, l + "self_attn.o_proj", qd, H, attn_bias));
    HUB_TRY(g, linear_of(wb, ckpt, l + "mlp.gate_proj", H, c.intermediate_size, mlp_bias));
    HUB_TRY(u, linear_of(wb, ckpt, l + "mlp.up_proj", H, c.intermediate_size, mlp_bias));
    HUB_TRY(d, linear_of(wb, ckpt, l + "mlp.down_proj", c.intermediate_size, H, mlp_bias));
    L.attn_norm = an, L.mlp_norm = mn, L.q = q, L.k = k, L.v = v, L.o = o, L.gate = g, L.up = u, L.down = d;
    w.layers.push_back(std::move(L));
  }
  HUB_TRY(fn, wb.tensor(p + "norm.weight", Shape{H}));
  w.final_norm = fn;
  if (c.tie_embeddings) {
    w.lm_head = w.embed;
    w.lm_head_bf16 = w.embed_bf16;
  } else if (stored_bf16(ckpt, "lm_head.weight")) {
    HUB_TRY(head, bf16_matrix(ckpt, "lm_head.weight", c.vocab_size, H));
    w.lm_head_bf16 = std::move(head);
  } else {
    HUB_TRY(head, wb.tensor("lm_head.weight", Shape{c.vocab_size, H}));
    w.lm_head = head;
  }
  return w;
}

// The config's sizes against the checkpoint header, before anything is loaded or estimated:
// every size that drives an allocation (vocab, hidden, heads x head_dim, KV heads,
// intermediate, layers) is fixed by a weight's shape here, so a config cannot claim sizes its
// weights do not have. (max_position_embeddings has no weight: the estimate bounds it.)
Result<void> llama_check_shapes(const DecoderConfig& c, const safetensors::Checkpoint& ckpt) {
  models::WeightBinder wb(ckpt);
  const std::string p = wb.find_prefix({"model.", ""}, "embed_tokens.weight").value_or("model.");
  const int64_t H = c.hidden_size, qd = c.num_heads * c.head_dim, kvd = c.num_kv_heads * c.head_dim;
  using models::expect_shape;
  const std::string last = p + "layers." + std::to_string(c.num_layers - 1) + ".";
  for (const auto& [name, shape] : std::initializer_list<std::pair<std::string, Shape>>{
           {p + "embed_tokens.weight", Shape{c.vocab_size, H}},
           {p + "layers.0.self_attn.q_proj.weight", Shape{qd, H}},
           {p + "layers.0.self_attn.k_proj.weight", Shape{kvd, H}},
           {p + "layers.0.self_attn.o_proj.weight", Shape{H, qd}},
           {p + "layers.0.mlp.gate_proj.weight", Shape{c.intermediate_size, H}},
           {last + "self_attn.k_proj.weight", Shape{kvd, H}},
           {last + "mlp.down_proj.weight", Shape{H, c.intermediate_size}}})
    if (auto ok = expect_shape(ckpt, name, shape); !ok) return ok;
  if (ckpt.contains(p + "layers." + std::to_string(c.num_layers) + ".self_attn.q_proj.weight"))
    return fail(Errc::corrupt, "config.json: num_hidden_layers = " + std::to_string(c.num_layers) +
                                   " but the weights hold more layers");
  return {};
}

}  // namespace

Result<std::shared_ptr<Model>> models::load_llama(const LoadContext& ctx) {
  static constexpr DecoderFamily kLlama{llama_config, llama_check_shapes, llama_weights, true};
  return load_decoder_model(ctx, kLlama);
}

}  // namespace hub::inference
