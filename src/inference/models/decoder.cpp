#include "inference/models/decoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include <cblas.h>

#include "inference/ops/gemm.h"
#include "inference/ops/gemm_bf16.h"
#include "inference/ops/norm.h"
#include "inference/ops/parallel.h"
#ifdef HUBD_HAVE_TOKENIZERS
#include "inference/tokenizers/tokenizer.h"
#endif

namespace hub::inference {

namespace {

const float* bias_of(const layers::Linear& l) { return l.bias.empty_tensor() ? nullptr : l.bias.data(); }

void linear(const float* x, int64_t rows, const layers::Linear& l, float* y,
            ops::Activation act = ops::Activation::none) {
  if (l.is_bf16()) {
    ops::linear_bf16(x, rows, l.in(), l.weight_bf16.data, l.out(), bias_of(l), y, act);
    return;
  }
  if (rows == 1) {
    // Decode steps are matrix-vector products: sgemv streams the weights once, where
    // OpenBLAS's sgemm with M=1 packs them first.
    cblas_sgemv(CblasRowMajor, CblasNoTrans, blasint(l.out()), blasint(l.in()), 1.0f, l.weight.data(),
                blasint(l.in()), x, 1, 0.0f, y, 1);
    ops::bias_act(y, 1, l.out(), bias_of(l), act);
    return;
  }
  ops::linear(x, rows, l.in(), l.weight.data(), l.out(), bias_of(l), y, act);
}

// Softmax with std::exp and a double sum: attention rows are short and their precision sets
// how close logits come to the float64 reference (the vectorised exp costs ~3e-5 here).
void softmax_exact(float* x, int64_t n) {
  float mx = x[0];
  for (int64_t i = 1; i < n; ++i) mx = std::max(mx, x[i]);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) sum += (x[i] = std::exp(x[i] - mx));
  const float inv = float(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

// One query head against `len` cached key/value rows (row stride kvd, head offset applied).
void attend(const float* qv, const float* k, const float* v, float* o, int64_t len, int64_t kvd,
            int64_t hd, float scale, float* sc) {
  for (int64_t t = 0; t < len; ++t) {
    const float* kt = k + t * kvd;
    float dot = 0;
    for (int64_t d = 0; d < hd; ++d) dot += qv[d] * kt[d];
    sc[t] = dot * scale;
  }
  softmax_exact(sc, len);
  std::fill(o, o + hd, 0.0f);
  for (int64_t t = 0; t < len; ++t) {
    const float* vt = v + t * kvd;
    const float p = sc[t];
    for (int64_t d = 0; d < hd; ++d) o[d] += p * vt[d];
  }
}

// Causal grouped-query attention of n new query rows (positions pos0..pos0+n) against the
// cached keys/values of positions [0, pos0 + n). q/out: [n, heads*hd]; k/v: [*, kv_heads*hd].
void cached_attention(const float* q, const float* k, const float* v, float* out, int64_t n,
                      int64_t pos0, int64_t heads, int64_t kv_heads, int64_t hd) {
  const int64_t qd = heads * hd, kvd = kv_heads * hd, group = heads / kv_heads;
  const float scale = 1.0f / std::sqrt(float(hd));
  ops::parallel_for(n * heads, 1, [&](int64_t b, int64_t e) {
    std::vector<float> sc(size_t(pos0 + n));
    for (int64_t idx = b; idx < e; ++idx) {
      const int64_t i = idx / heads, h = idx % heads, g = h / group;
      attend(q + i * qd + h * hd, k + g * hd, v + g * hd, out + i * qd + h * hd, pos0 + i + 1, kvd, hd,
             scale, sc.data());
    }
  });
}

}  // namespace

CausalLM::CausalLM(DecoderConfig config, DecoderWeights weights,
                   std::shared_ptr<const tokenizers::Tokenizer> tokenizer)
    : config_(std::move(config)), w_(std::move(weights)),
      rope_(config_.family == DecoderConfig::Family::llama ? layers::Rope(config_.rope, config_.max_positions)
                                                           : layers::Rope()), tokenizer_(std::move(tokenizer)) {
  head_.weight = w_.lm_head;
  head_.weight_bf16 = w_.lm_head_bf16;
}

void CausalLM::embed(std::span<const int32_t> ids, float* out) const {
  if (!w_.embed_bf16.empty())
    ops::embedding_gather_bf16(w_.embed_bf16.data, config_.hidden_size, ids.data(), int64_t(ids.size()), out);
  else
    ops::embedding_gather(w_.embed.data(), config_.hidden_size, ids.data(), int64_t(ids.size()), out);
}

CausalLM::~CausalLM() = default;

DecoderState CausalLM::new_state(int64_t capacity) const {
  capacity = std::clamp<int64_t>(capacity, 1, config_.max_positions);
  DecoderState s;
  s.cache = layers::KVCache(config_.num_layers, capacity, config_.num_kv_heads * config_.head_dim);
  return s;
}

size_t CausalLM::weight_bytes() const {
  auto f32 = [](const Tensor& t) { return size_t(t.numel()) * sizeof(float); };
  size_t n = f32(w_.embed) + w_.embed_bf16.bytes() + f32(w_.positions) + f32(w_.final_norm) +
             f32(w_.final_norm_bias);
  if (!config_.tie_embeddings) n += head_.bytes();
  for (const auto& l : w_.layers) {
    n += f32(l.attn_norm) + f32(l.mlp_norm) + f32(l.attn_norm_bias) + f32(l.mlp_norm_bias);
    for (const layers::Linear* p : {&l.q, &l.k, &l.v, &l.o, &l.gate, &l.up, &l.down}) n += p->bytes();
  }
  return n;
}

Result<Tensor> CausalLM::forward(std::span<const int32_t> ids, DecoderState& state,
                                 bool all_logits) const {
  const auto& c = config_;
  const int64_t n = int64_t(ids.size()), pos0 = state.cache.length();
  if (n == 0) return fail(Errc::invalid_argument, "no input tokens");
  if (pos0 + n > state.cache.capacity())
    return fail(Errc::invalid_argument, "sequence of " + std::to_string(pos0 + n) +
                                            " tokens exceeds the context of " +
                                            std::to_string(state.cache.capacity()));
  for (int32_t id : ids)
    if (id < 0 || id >= c.vocab_size)
      return fail(Errc::invalid_argument, "token id " + std::to_string(id) + " out of range");
  state.cache.reserve(pos0 + n);  // the cache grows with the sequence

  const int64_t H = c.hidden_size, I = c.intermediate_size, qd = c.num_heads * c.head_dim;
  const int64_t kvd = c.num_kv_heads * c.head_dim;
  // Scratch: x, h [n,H]; q, att [n,qd]; gate, up [n,I].
  const size_t need = size_t(n * (2 * H + 2 * qd + 2 * I));
  if (state.scratch.size() < need) state.scratch.resize(need);
  float* x = state.scratch.data();
  float* h = x + n * H;
  float* q = h + n * H;
  float* att = q + n * qd;
  float* gate = att + n * qd;
  float* up = gate + n * I;

  const bool gpt2 = c.family == DecoderConfig::Family::gpt2;
  auto norm = [&](float* y, int64_t rows, const Tensor& w, const Tensor& b) {
    if (gpt2) ops::layer_norm(y, nullptr, rows, H, w.data(), b.data(), c.norm_eps);
    else ops::rms_norm(y, rows, H, w.data(), c.norm_eps);
  };
  embed(ids, x);
  if (gpt2) ops::add_inplace(x, w_.positions.data() + pos0 * H, n * H);
  for (int64_t li = 0; li < c.num_layers; ++li) {
    const auto& L = w_.layers[size_t(li)];
    float* kc = state.cache.keys(li);
    float* vc = state.cache.values(li);
    std::memcpy(h, x, size_t(n * H) * sizeof(float));
    norm(h, n, L.attn_norm, L.attn_norm_bias);
    linear(h, n, L.q, q);
    linear(h, n, L.k, kc + pos0 * kvd);  // new keys/values go straight into the cache
    linear(h, n, L.v, vc + pos0 * kvd);
    if (!gpt2) {
      rope_.apply(q, n, qd, c.num_heads, pos0);
      rope_.apply(kc + pos0 * kvd, n, kvd, c.num_kv_heads, pos0);
    }
    cached_attention(q, kc, vc, att, n, pos0, c.num_heads, c.num_kv_heads, c.head_dim);
    linear(att, n, L.o, h);
    ops::add_inplace(x, h, n * H);

    std::memcpy(h, x, size_t(n * H) * sizeof(float));
    norm(h, n, L.mlp_norm, L.mlp_norm_bias);
    if (gpt2) {
      linear(h, n, L.up, up, c.act);
      linear(up, n, L.down, h);
    } else {
      linear(h, n, L.gate, gate, c.act);
      linear(h, n, L.up, up);
      ops::mul(gate, up, gate, n * I);
      linear(gate, n, L.down, h);
    }
    ops::add_inplace(x, h, n * H);
  }
  state.cache.advance(n);

  const int64_t rows = all_logits ? n : 1;
  float* last = x + (n - rows) * H;
  norm(last, rows, w_.final_norm, w_.final_norm_bias);
  Tensor logits = Tensor::empty(Shape{rows, c.vocab_size});
  linear(last, rows, head_, logits.data());
  return logits;
}

Result<Tensor> CausalLM::forward_step(std::span<const int32_t> tokens,
                                      std::span<DecoderState* const> states) const {
  const auto& c = config_;
  const int64_t B = int64_t(tokens.size());
  if (B == 0 || states.size() != tokens.size())
    return fail(Errc::invalid_argument, "forward_step needs one token per state");
  for (int64_t i = 0; i < B; ++i) {
    if (tokens[size_t(i)] < 0 || tokens[size_t(i)] >= c.vocab_size)
      return fail(Errc::invalid_argument, "token id " + std::to_string(tokens[size_t(i)]) + " out of range");
    if (states[size_t(i)]->cache.length() + 1 > states[size_t(i)]->cache.capacity())
      return fail(Errc::invalid_argument, "a sequence's KV cache is full");
  }
  for (auto* st : states) st->cache.reserve(st->cache.length() + 1);
  const int64_t H = c.hidden_size, I = c.intermediate_size, qd = c.num_heads * c.head_dim;
  const int64_t kvd = c.num_kv_heads * c.head_dim, hd = c.head_dim, group = c.num_heads / c.num_kv_heads;
  const bool gpt2 = c.family == DecoderConfig::Family::gpt2;
  std::vector<float> buf(size_t(B * (2 * H + 2 * qd + 2 * kvd + 2 * I)));
  float* x = buf.data();
  float* h = x + B * H;
  float* q = h + B * H;
  float* att = q + B * qd;
  float* kn = att + B * qd;
  float* vn = kn + B * kvd;
  float* gate = vn + B * kvd;
  float* up = gate + B * I;
  auto norm = [&](float* y, int64_t rows, const Tensor& w, const Tensor& b) {
    if (gpt2) ops::layer_norm(y, nullptr, rows, H, w.data(), b.data(), c.norm_eps);
    else ops::rms_norm(y, rows, H, w.data(), c.norm_eps);
  };
  embed(tokens, x);
  if (gpt2)
    for (int64_t i = 0; i < B; ++i)
      ops::add_inplace(x + i * H, w_.positions.data() + states[size_t(i)]->cache.length() * H, H);
  const float scale = 1.0f / std::sqrt(float(hd));
  for (int64_t li = 0; li < c.num_layers; ++li) {
    const auto& L = w_.layers[size_t(li)];
    std::memcpy(h, x, size_t(B * H) * sizeof(float));
    norm(h, B, L.attn_norm, L.attn_norm_bias);
    // One GEMM per projection for all B sequences: the weights stream once per step.
    linear(h, B, L.q, q);
    linear(h, B, L.k, kn);
    linear(h, B, L.v, vn);
    for (int64_t i = 0; i < B; ++i) {
      auto& cache = states[size_t(i)]->cache;
      const int64_t pos = cache.length();
      if (!gpt2) {
        rope_.apply(q + i * qd, 1, qd, c.num_heads, pos);
        rope_.apply(kn + i * kvd, 1, kvd, c.num_kv_heads, pos);
      }
      std::memcpy(cache.keys(li) + pos * kvd, kn + i * kvd, size_t(kvd) * sizeof(float));
      std::memcpy(cache.values(li) + pos * kvd, vn + i * kvd, size_t(kvd) * sizeof(float));
    }
    ops::parallel_for(B * c.num_heads, 1, [&](int64_t b, int64_t e) {
      std::vector<float> sc;
      for (int64_t idx = b; idx < e; ++idx) {
        const int64_t i = idx / c.num_heads, hh = idx % c.num_heads, g = hh / group;
        const auto& cache = states[size_t(i)]->cache;
        const int64_t len = cache.length() + 1;
        sc.resize(size_t(len));
        attend(q + i * qd + hh * hd, cache.keys(li) + g * hd, cache.values(li) + g * hd,
               att + i * qd + hh * hd, len, kvd, hd, scale, sc.data());
      }
    });
    linear(att, B, L.o, h);
    ops::add_inplace(x, h, B * H);
    std::memcpy(h, x, size_t(B * H) * sizeof(float));
    norm(h, B, L.mlp_norm, L.mlp_norm_bias);
    if (gpt2) {
      linear(h, B, L.up, up, c.act);
      linear(up, B, L.down, h);
    } else {
      linear(h, B, L.gate, gate, c.act);
      linear(h, B, L.up, up);
      ops::mul(gate, up, gate, B * I);
      linear(gate, B, L.down, h);
    }
    ops::add_inplace(x, h, B * H);
  }
  for (auto* s : states) s->cache.advance(1);
  norm(x, B, w_.final_norm, w_.final_norm_bias);
  Tensor logits = Tensor::empty(Shape{B, c.vocab_size});
  linear(x, B, head_, logits.data());
  return logits;
}

}  // namespace hub::inference
