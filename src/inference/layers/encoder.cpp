#include "inference/layers/encoder.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "core/result.h"
#include "inference/ops/attention.h"
#include "inference/ops/gemm.h"
#include "inference/ops/gemm_bf16.h"
#include "inference/ops/norm.h"
#include "inference/ops/parallel.h"

namespace hub::inference::layers {

void Linear::forward(const float* x, int64_t rows, float* y, ops::Activation act) const {
  const float* b = bias.empty_tensor() ? nullptr : bias.data();
  if (is_bf16()) return ops::linear_bf16(x, rows, in(), weight_bf16.data, out(), b, y, act);
  if (!packed.empty()) return ops::linear_packed(x, rows, packed, b, y, act);
  ops::linear(x, rows, in(), weight.data(), out(), b, y, act);
}

int64_t relative_position_bucket(int64_t relative_position, int64_t num_buckets) {
  const int64_t max_distance = 128;
  int64_t n = -relative_position;
  num_buckets /= 2;
  int64_t ret = n < 0 ? num_buckets : 0;
  n = n < 0 ? -n : n;
  const int64_t max_exact = num_buckets / 2;
  if (n < max_exact) return ret + n;
  // Computed in float32 like the PyTorch original, then truncated.
  float v = std::log(float(n) / float(max_exact)) / float(std::log(double(max_distance) / double(max_exact))) *
            float(num_buckets - max_exact);
  int64_t large = max_exact + int64_t(v);
  return ret + std::min(large, num_buckets - 1);
}

Encoder::Encoder(EncoderConfig config, EncoderWeights weights)
    : config_(config), weights_(std::move(weights)) {
  // Weights are constant: pack every layer's projections once, here, for the engine's GEMM,
  // in the process's encoder precision (HUBD_ENCODER_PRECISION, ops/gemm.h).
  const ops::WeightFormat format = ops::encoder_precision();
  weights_.embeddings_project.pack(format);
  for (EncoderLayer& l : weights_.layers)
    for (Linear* p : {&l.query, &l.key, &l.value, &l.attn_out, &l.ffn_in, &l.ffn_out}) p->pack(format);
}

std::string Encoder::check_batch(const Batch& b) const {
  const auto& c = config_;
  if (b.batch <= 0 || b.seq <= 0) return "empty batch";
  size_t n = size_t(b.batch * b.seq);
  if (b.input_ids.size() != n) return "input_ids has the wrong length";
  if (!b.attention_mask.empty() && b.attention_mask.size() != n)
    return "attention_mask has the wrong length";
  if (!b.token_type_ids.empty() && b.token_type_ids.size() != n)
    return "token_type_ids has the wrong length";
  for (int32_t id : b.input_ids)
    if (id < 0 || id >= c.vocab_size) return "token id " + std::to_string(id) + " out of range";
  // Models without token-type embeddings (DistilBERT) ignore type ids (a pair encoding
  // still carries them).
  if (c.type_vocab_size > 0)
    for (int32_t t : b.token_type_ids)
      if (t < 0 || t >= c.type_vocab_size) return "token type id " + std::to_string(t) + " out of range";
  int64_t max_pos = c.max_position_embeddings;
  if (c.positions == PositionScheme::roberta) max_pos -= c.pad_token_id + 1;
  if (b.seq > max_pos)
    return "sequence length " + std::to_string(b.seq) + " exceeds the model's " +
           std::to_string(max_pos) + " positions";
  return {};
}

int64_t Encoder::workspace_floats(int64_t batch, int64_t seq) const {
  return encoder_workspace_floats(config_, batch, seq);
}

int64_t encoder_workspace_floats(const EncoderConfig& c, int64_t batch, int64_t seq) {
  int64_t t = batch * seq, h = c.hidden_size;
  ops::AttentionShape as{batch, seq, c.num_attention_heads, h / c.num_attention_heads};
  auto r = Workspace::rounded;
  return r(t * h)                            // hidden (result)
         + r(t * std::max(h, c.embedding_size))  // embeddings before projection / attn out
         + 3 * r(t * h)                      // q, k, v
         + r(t * h)                          // context
         + r(t * c.intermediate_size)        // ffn inner
         + r(batch * seq)                    // additive mask
         + r(t)                              // position ids (as int32 in float slots)
         + (c.relative_attention_num_buckets > 0 ? r(c.num_attention_heads * seq * seq) : 0)
         + r(ops::attention_scratch_size(as, ops::num_threads()));
}

float* Encoder::forward(const Batch& b, Workspace& ws) const {
  const auto& c = config_;
  const auto& w = weights_;
  const int64_t t = b.batch * b.seq, h = c.hidden_size, e = c.embedding_size;
  float* hidden = ws.take(t * h);
  float* tmp = ws.take(t * std::max(h, e));
  float* q = ws.take(t * h);
  float* k = ws.take(t * h);
  float* v = ws.take(t * h);
  float* ctx = ws.take(t * h);
  float* inner = ws.take(t * c.intermediate_size);
  float* mask_add = ws.take(b.batch * b.seq);
  auto* pos = reinterpret_cast<int32_t*>(ws.take(t));
  ops::AttentionShape as{b.batch, b.seq, c.num_attention_heads, h / c.num_attention_heads,
                         h, h, h, h};
  float* attn_scratch = ws.take(ops::attention_scratch_size(as, ops::num_threads()));
  float* head_bias = nullptr;
  if (c.relative_attention_num_buckets > 0) {
    // bias[h, i, j] = table[bucket(j - i), h], the same for every layer and batch row.
    head_bias = ws.take(c.num_attention_heads * b.seq * b.seq);
    const float* table = w.relative_attention_bias.data();
    for (int64_t i = 0; i < b.seq; ++i)
      for (int64_t j = 0; j < b.seq; ++j) {
        int64_t bucket = relative_position_bucket(j - i, c.relative_attention_num_buckets);
        for (int64_t hh = 0; hh < c.num_attention_heads; ++hh)
          head_bias[(hh * b.seq + i) * b.seq + j] = table[bucket * c.num_attention_heads + hh];
      }
  }

  // Position ids and the additive key mask (HF: (1 - mask) * finfo(float32).min).
  for (int64_t bi = 0; bi < b.batch; ++bi) {
    int32_t running = 0;
    for (int64_t s = 0; s < b.seq; ++s) {
      int64_t i = bi * b.seq + s;
      if (c.positions == PositionScheme::roberta) {
        bool real = b.input_ids[size_t(i)] != c.pad_token_id;
        running += real ? 1 : 0;
        pos[i] = real ? int32_t(running + c.pad_token_id) : int32_t(c.pad_token_id);
      } else {
        pos[i] = int32_t(s);
      }
      bool keep = b.attention_mask.empty() || b.attention_mask[size_t(i)] != 0;
      mask_add[i] = keep ? 0.f : std::numeric_limits<float>::lowest();
    }
  }

  // Embeddings: word + position + token type, then LayerNorm (and ELECTRA's projection).
  float* emb = e == h ? hidden : tmp;
  const float* wte = w.word_embeddings.data();
  const float* wpe = w.position_embeddings.data();
  const float* wtt = w.token_type_embeddings.empty_tensor() ? nullptr : w.token_type_embeddings.data();
  ops::parallel_for(t, 16, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      float* row = emb + i * e;
      const float* wr = wte + int64_t(b.input_ids[size_t(i)]) * e;
      const float* pr = wpe + int64_t(pos[i]) * e;
      if (wtt) {
        int64_t tt = b.token_type_ids.empty() ? 0 : b.token_type_ids[size_t(i)];
        const float* tr = wtt + tt * e;
        for (int64_t j = 0; j < e; ++j) row[j] = wr[j] + tr[j] + pr[j];
      } else {
        for (int64_t j = 0; j < e; ++j) row[j] = wr[j] + pr[j];
      }
    }
  });
  const Norm& en = w.embeddings_norm;
  ops::layer_norm(emb, nullptr, t, e, en.weight.data(),
                  en.bias.empty_tensor() ? nullptr : en.bias.data(), en.eps);
  if (e != h) w.embeddings_project.forward(emb, t, hidden);

  const float scale = 1.f / std::sqrt(float(as.head_dim));
  for (const EncoderLayer& layer : w.layers) {
    layer.query.forward(hidden, t, q);
    layer.key.forward(hidden, t, k);
    layer.value.forward(hidden, t, v);
    ops::attention(as, q, k, v, mask_add, head_bias, scale, ctx, attn_scratch);
    layer.attn_out.forward(ctx, t, tmp);
    // Post-LN: tmp = LN(attn_out + hidden); then hidden = LN(ffn(tmp) + tmp).
    ops::layer_norm(tmp, hidden, t, h, layer.attn_norm.weight.data(),
                    layer.attn_norm.bias.empty_tensor() ? nullptr : layer.attn_norm.bias.data(),
                    layer.attn_norm.eps);
    layer.ffn_in.forward(tmp, t, inner, c.hidden_act);
    layer.ffn_out.forward(inner, t, hidden);
    ops::layer_norm(hidden, tmp, t, h, layer.ffn_norm.weight.data(),
                    layer.ffn_norm.bias.empty_tensor() ? nullptr : layer.ffn_norm.bias.data(),
                    layer.ffn_norm.eps);
  }
  return hidden;
}

}  // namespace hub::inference::layers
