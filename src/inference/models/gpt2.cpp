// GPT-2: learned absolute positions, pre-LayerNorm blocks with biases, GELU (tanh) MLP, lm_head
// tied to the token embedding. Its checkpoints store Conv1D weights as [in, out] and a fused
// c_attn; binding transposes them once into the [out, in] Linear layout the decoder runs.
#include <cstring>

#include "inference/models/loading.h"
#include "inference/models/registry.h"
#include "inference/models/weights.h"

namespace hub::inference::models {

namespace {

// [in, out] Conv1D weight -> owning [out, in].
Tensor transposed(const Tensor& w) {
  const int64_t in = w.dim(0), out = w.dim(1);
  Tensor t = Tensor::empty(Shape{out, in});
  for (int64_t i = 0; i < in; ++i)
    for (int64_t o = 0; o < out; ++o) t.data()[o * in + i] = w.data()[i * out + o];
  return t;
}

Result<layers::Linear> conv1d(const WeightBinder& wb, const std::string& name, int64_t in, int64_t out) {
  HUB_TRY(w, wb.tensor(name + ".weight", Shape{in, out}));
  HUB_TRY(b, wb.tensor(name + ".bias", Shape{out}));
  return layers::Linear{transposed(w), b};
}

Result<DecoderConfig> gpt2_config(boost::json::object cfg) {
  DecoderConfig c;
  c.family = DecoderConfig::Family::gpt2;
  c.model_type = "gpt2";
  if (const auto* a = json::get_array(cfg, "architectures"); a && !a->empty() && (*a)[0].is_string())
    c.architecture = std::string((*a)[0].get_string());
  HUB_TRY(vocab, config_int(cfg, "vocab_size", 50257, 1, 1 << 24));
  HUB_TRY(hidden, config_int(cfg, "n_embd", 768, 1, 1 << 16));
  HUB_TRY(layers, config_int(cfg, "n_layer", 12, 1, 1024));
  HUB_TRY(heads, config_int(cfg, "n_head", 12, 1, 1024));
  HUB_TRY(pos, config_int(cfg, "n_positions", 1024, 1, 1 << 20));
  HUB_TRY(inner, config_int(cfg, "n_inner", 4 * hidden, 1, 1 << 20));
  HUB_TRY(act, config_activation(cfg, "activation_function", "gelu_new"));
  const double eps = json::get_number(cfg, "layer_norm_epsilon").value_or(1e-5);
  if (hidden % heads != 0) return fail(Errc::invalid_argument, "config.json: n_embd is not a multiple of n_head");
  if (!(eps > 0 && eps < 1)) return fail(Errc::invalid_argument, "config.json: layer_norm_epsilon out of range");
  if (json::get_bool(cfg, "scale_attn_by_inverse_layer_idx").value_or(false) ||
      json::get_bool(cfg, "reorder_and_upcast_attn").value_or(false) ||
      !json::get_bool(cfg, "scale_attn_weights").value_or(true))
    return fail(Errc::unsupported, "this GPT-2 attention variant is not supported");
  c.vocab_size = vocab, c.hidden_size = hidden, c.intermediate_size = inner, c.num_layers = layers;
  c.num_heads = c.num_kv_heads = heads, c.head_dim = hidden / heads, c.max_positions = pos;
  c.norm_eps = float(eps), c.act = act;
  c.tie_embeddings = json::get_bool(cfg, "tie_word_embeddings").value_or(true);
  if (const auto* e = json::find(cfg, "eos_token_id"); e && e->is_int64()) c.eos_token_ids.push_back(int32_t(e->get_int64()));
  if (auto b = json::get_int(cfg, "bos_token_id")) c.bos_token_id = int32_t(*b);
  c.raw = std::move(cfg);
  return c;
}

Result<void> gpt2_check_shapes(const DecoderConfig& c, const safetensors::Checkpoint& ckpt) {
  WeightBinder wb(ckpt);
  const std::string p = wb.find_prefix({"transformer.", ""}, "wte.weight").value_or("transformer.");
  const int64_t H = c.hidden_size, I = c.intermediate_size;
  const std::string last = p + "h." + std::to_string(c.num_layers - 1) + ".";
  for (const auto& [name, shape] : std::initializer_list<std::pair<std::string, Shape>>{
           {p + "wte.weight", Shape{c.vocab_size, H}},
           {p + "wpe.weight", Shape{c.max_positions, H}},
           {p + "h.0.attn.c_attn.weight", Shape{H, 3 * H}},
           {p + "h.0.mlp.c_fc.weight", Shape{H, I}},
           {last + "mlp.c_proj.weight", Shape{I, H}}})
    if (auto ok = expect_shape(ckpt, name, shape); !ok) return ok;
  if (ckpt.contains(p + "h." + std::to_string(c.num_layers) + ".attn.c_attn.weight"))
    return fail(Errc::corrupt, "config.json: n_layer = " + std::to_string(c.num_layers) +
                                   " but the weights hold more layers");
  return {};
}

Result<DecoderWeights> gpt2_weights(const DecoderConfig& c, const safetensors::Checkpoint& ckpt) {
  WeightBinder wb(ckpt);
  const std::string p = wb.find_prefix({"transformer.", ""}, "wte.weight").value_or("transformer.");
  const int64_t H = c.hidden_size, I = c.intermediate_size;
  DecoderWeights w;
  HUB_TRY(wte, wb.tensor(p + "wte.weight", Shape{c.vocab_size, H}));
  HUB_TRY(wpe, wb.tensor(p + "wpe.weight", Shape{c.max_positions, H}));
  w.embed = wte, w.positions = wpe;
  for (int64_t i = 0; i < c.num_layers; ++i) {
    const std::string l = p + "h." + std::to_string(i) + ".";
    DecoderLayerWeights L;
    HUB_TRY(n1, wb.tensor(l + "ln_1.weight", Shape{H}));
    HUB_TRY(b1, wb.tensor(l + "ln_1.bias", Shape{H}));
    HUB_TRY(n2, wb.tensor(l + "ln_2.weight", Shape{H}));
    HUB_TRY(b2, wb.tensor(l + "ln_2.bias", Shape{H}));
    HUB_TRY(qkv, conv1d(wb, l + "attn.c_attn", H, 3 * H));
    HUB_TRY(o, conv1d(wb, l + "attn.c_proj", H, H));
    HUB_TRY(fc, conv1d(wb, l + "mlp.c_fc", H, I));
    HUB_TRY(proj, conv1d(wb, l + "mlp.c_proj", I, H));
    L.attn_norm = n1, L.attn_norm_bias = b1, L.mlp_norm = n2, L.mlp_norm_bias = b2;
    // The fused [3H, H] projection split into q, k, v row blocks (views of one buffer).
    L.q = {qkv.weight.slice_rows(0, H), qkv.bias.slice_rows(0, H)};
    L.k = {qkv.weight.slice_rows(H, 2 * H), qkv.bias.slice_rows(H, 2 * H)};
    L.v = {qkv.weight.slice_rows(2 * H, 3 * H), qkv.bias.slice_rows(2 * H, 3 * H)};
    L.o = o, L.up = fc, L.down = proj;
    w.layers.push_back(std::move(L));
  }
  HUB_TRY(nf, wb.tensor(p + "ln_f.weight", Shape{H}));
  HUB_TRY(bf, wb.tensor(p + "ln_f.bias", Shape{H}));
  w.final_norm = nf, w.final_norm_bias = bf;
  if (c.tie_embeddings || !wb.has("lm_head.weight")) {
    w.lm_head = w.embed;
  } else {
    HUB_TRY(head, wb.tensor("lm_head.weight", Shape{c.vocab_size, H}));
    w.lm_head = head;
  }
  return w;
}

}  // namespace

Result<std::shared_ptr<Model>> load_gpt2(const LoadContext& ctx) {
  static constexpr DecoderFamily kGpt2{gpt2_config, gpt2_check_shapes, gpt2_weights, false};
  return load_decoder_model(ctx, kGpt2);
}

}  // namespace hub::inference::models
