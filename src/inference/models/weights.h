// Internal to models/: binds checkpoint tensors to layer structs with their shapes checked
// against the config (so forward code can never read out of bounds), and typed config.json
// reads with HF defaults and sanity limits. Stateless helpers; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/json.h"
#include "core/result.h"
#include "inference/layers/encoder.h"
#include "inference/safetensors/checkpoint.h"

namespace hub::inference::models {

class WeightBinder {
 public:
  explicit WeightBinder(const safetensors::Checkpoint& ckpt) : ckpt_(ckpt) {}

  bool has(const std::string& name) const { return ckpt_.contains(name); }
  // The tensor `name` as f32 with exactly `shape`.
  Result<Tensor> tensor(const std::string& name, const Shape& shape) const;
  // `name`.weight [out, in] and `name`.bias [out] (bias optional unless required).
  Result<layers::Linear> linear(const std::string& name, int64_t in, int64_t out,
                                bool bias_required = true) const;
  // `name`.weight/.bias, or the TF-era `name`.gamma/.beta.
  Result<layers::Norm> norm(const std::string& name, int64_t dim, float eps) const;
  // One post-LN encoder layer from `prefix` + the family's tensor names (each a Linear or Norm
  // name as linear()/norm() take it): query, key, value, attention output, attention norm,
  // FFN in, FFN out, FFN norm. hidden -> inter -> hidden.
  struct LayerNames {
    const char *query, *key, *value, *attn_out, *attn_norm, *ffn_in, *ffn_out, *ffn_norm;
  };
  Result<layers::EncoderLayer> encoder_layer(const std::string& prefix, const LayerNames& n, int64_t hidden,
                                             int64_t inter, float eps) const;
  // First prefix p of `candidates` for which p + probe exists.
  std::optional<std::string> find_prefix(std::initializer_list<std::string_view> candidates,
                                         std::string_view probe) const;

 private:
  const safetensors::Checkpoint& ckpt_;
};

// The header of tensor `name` says exactly `shape` (any dtype), else corrupt naming both.
// Reads no tensor data: configs are checked against the weights before anything loads.
Result<void> expect_shape(const safetensors::Checkpoint& ckpt, const std::string& name, const Shape& shape);

// config.json integer `key` (default `def` when absent) within [lo, hi], else invalid_argument.
Result<int64_t> config_int(const boost::json::object& cfg, std::string_view key, int64_t def,
                           int64_t lo, int64_t hi);
Result<float> config_float(const boost::json::object& cfg, std::string_view key, double def);
Result<ops::Activation> config_activation(const boost::json::object& cfg, std::string_view key,
                                          std::string_view def);
// Shared checks of a filled EncoderConfig (positive sizes, heads divide hidden, ...).
Result<void> validate_encoder_config(const layers::EncoderConfig& c);

}  // namespace hub::inference::models
