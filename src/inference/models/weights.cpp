#include "inference/models/weights.h"

#include "inference/models/labels.h"

namespace hub::inference::models {

Result<Tensor> WeightBinder::tensor(const std::string& name, const Shape& shape) const {
  const auto* info = ckpt_.find(name);
  if (!info) return fail(Errc::corrupt, "missing weight '" + name + "'");
  // The header's shape first: a tensor that does not match is refused before it is
  // converted (an f16/bf16 tensor costs a copy).
  if (auto ok = expect_shape(ckpt_, name, shape); !ok) return std::unexpected(ok.error());
  HUB_TRY(t, ckpt_.load_f32(name));
  if (!(t.shape() == shape))
    return fail(Errc::corrupt, "weight '" + name + "' has shape " + t.shape().str() +
                                   ", config implies " + shape.str());
  return t;
}

Result<layers::Linear> WeightBinder::linear(const std::string& name, int64_t in, int64_t out,
                                            bool bias_required) const {
  layers::Linear l;
  HUB_TRY(w, tensor(name + ".weight", Shape{out, in}));
  l.weight = std::move(w);
  if (bias_required || has(name + ".bias")) {
    HUB_TRY(b, tensor(name + ".bias", Shape{out}));
    l.bias = std::move(b);
  }
  return l;
}

Result<layers::Norm> WeightBinder::norm(const std::string& name, int64_t dim, float eps) const {
  bool tf = !has(name + ".weight") && has(name + ".gamma");
  layers::Norm n;
  n.eps = eps;
  HUB_TRY(g, tensor(name + (tf ? ".gamma" : ".weight"), Shape{dim}));
  HUB_TRY(b, tensor(name + (tf ? ".beta" : ".bias"), Shape{dim}));
  n.weight = std::move(g);
  n.bias = std::move(b);
  return n;
}

Result<layers::EncoderLayer> WeightBinder::encoder_layer(const std::string& l, const LayerNames& n, int64_t h,
                                                         int64_t inter, float eps) const {
  layers::EncoderLayer layer;
  HUB_TRY(q, linear(l + n.query, h, h));
  HUB_TRY(k, linear(l + n.key, h, h));
  HUB_TRY(v, linear(l + n.value, h, h));
  HUB_TRY(o, linear(l + n.attn_out, h, h));
  HUB_TRY(an, norm(l + n.attn_norm, h, eps));
  HUB_TRY(fi, linear(l + n.ffn_in, h, inter));
  HUB_TRY(fo, linear(l + n.ffn_out, inter, h));
  HUB_TRY(fn, norm(l + n.ffn_norm, h, eps));
  layer.query = std::move(q);
  layer.key = std::move(k);
  layer.value = std::move(v);
  layer.attn_out = std::move(o);
  layer.attn_norm = std::move(an);
  layer.ffn_in = std::move(fi);
  layer.ffn_out = std::move(fo);
  layer.ffn_norm = std::move(fn);
  return layer;
}

Result<void> expect_shape(const safetensors::Checkpoint& ckpt, const std::string& name, const Shape& shape) {
  const auto* t = ckpt.find(name);
  if (!t) return fail(Errc::corrupt, "missing weight '" + name + "'");
  bool same = int64_t(t->shape.size()) == shape.rank();
  for (size_t i = 0; same && i < t->shape.size(); ++i) same = t->shape[i] == shape[int(i)];
  if (same) return {};
  std::string got = "[";
  for (size_t i = 0; i < t->shape.size(); ++i) got += (i ? ", " : "") + std::to_string(t->shape[i]);
  return fail(Errc::corrupt, "weight '" + name + "' has shape " + got + "], config implies " + shape.str());
}

std::optional<std::string> WeightBinder::find_prefix(
    std::initializer_list<std::string_view> candidates, std::string_view probe) const {
  for (std::string_view p : candidates) {
    std::string name = std::string(p) + std::string(probe);
    if (has(name)) return std::string(p);
  }
  return std::nullopt;
}

Result<int64_t> config_int(const boost::json::object& cfg, std::string_view key, int64_t def,
                           int64_t lo, int64_t hi) {
  const auto* v = json::find(cfg, key);
  int64_t x = def;
  if (v && !v->is_null()) {
    // Out-of-range doubles are rejected here, before any float -> int conversion.
    if (v->is_double() && !(v->get_double() >= double(lo) && v->get_double() <= double(hi)))
      return fail(Errc::invalid_argument, "config.json: '" + std::string(key) + "' is out of range");
    auto i = json::get_int(cfg, key);
    if (!i) return fail(Errc::invalid_argument, "config.json: '" + std::string(key) + "' is not an integer");
    x = *i;
  }
  if (x < lo || x > hi)
    return fail(Errc::invalid_argument, "config.json: '" + std::string(key) + "' = " +
                                            std::to_string(x) + " is out of range");
  return x;
}

Result<float> config_float(const boost::json::object& cfg, std::string_view key, double def) {
  const auto* v = json::find(cfg, key);
  if (!v || v->is_null()) return float(def);
  auto d = json::get_number(cfg, key);
  if (!d || !(*d >= 0) || *d > 1.0)
    return fail(Errc::invalid_argument, "config.json: '" + std::string(key) + "' must be a number in [0, 1]");
  return float(*d);
}

Result<ops::Activation> config_activation(const boost::json::object& cfg, std::string_view key,
                                          std::string_view def) {
  const auto* v = json::find(cfg, key);
  std::string_view name = def;
  if (v && !v->is_null()) {
    auto s = json::get_string(cfg, key);
    if (!s) return fail(Errc::unsupported, "config.json: '" + std::string(key) + "' is not a string");
    name = *s;
  }
  auto a = ops::activation_from_name(name);
  if (!a) return fail(Errc::unsupported, "config.json: activation '" + std::string(name) + "' not supported");
  return *a;
}

Result<void> validate_encoder_config(const layers::EncoderConfig& c) {
  if (c.hidden_size % c.num_attention_heads != 0)
    return fail(Errc::invalid_argument, "config.json: hidden size not divisible by the number of heads");
  if (c.pad_token_id < 0 || c.pad_token_id >= c.vocab_size)
    return fail(Errc::invalid_argument, "config.json: pad_token_id out of range");
  if (c.positions == layers::PositionScheme::roberta && c.pad_token_id + 1 >= c.max_position_embeddings)
    return fail(Errc::invalid_argument, "config.json: no positions left after the padding offset");
  return {};
}

}  // namespace hub::inference::models

namespace hub::inference::models {

Result<int64_t> config_num_labels(const boost::json::object& cfg) {
  if (const auto* m = json::get_object(cfg, "id2label"); m && !m->empty()) {
    if (m->size() > 1'000'000) return fail(Errc::invalid_argument, "config.json: too many labels");
    return int64_t(m->size());
  }
  return config_int(cfg, "num_labels", 2, 1, 1'000'000);
}

}  // namespace hub::inference::models
