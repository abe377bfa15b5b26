#include "inference/models/memory.h"

#include <algorithm>
#include <limits>

#include "inference/layers/encoder.h"
#include "inference/layers/heads.h"
#include "inference/models/decoder.h"
#include "inference/ops/parallel.h"
#include "inference/safetensors/checkpoint.h"

namespace hub::inference {

namespace {
constexpr uint64_t kInf = std::numeric_limits<uint64_t>::max();
constexpr uint64_t kF32 = sizeof(float);

uint64_t u(int64_t v) { return v > 0 ? uint64_t(v) : 0; }

std::string mib(uint64_t bytes) {
  if (bytes == kInf) return "more than 2^64 bytes";
  return std::to_string((bytes + (1u << 20) - 1) >> 20) + " MiB";
}

// Product of several factors, saturating.
uint64_t prod(std::initializer_list<uint64_t> xs) {
  uint64_t p = 1;
  for (uint64_t x : xs) p = mem_mul(p, x);
  return p;
}
}  // namespace

uint64_t mem_mul(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? kInf : r;
}

uint64_t mem_add(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_add_overflow(a, b, &r) ? kInf : r;
}

uint64_t MemoryEstimate::total() const { return mem_add(mem_add(weights, tables), mem_add(kv_cache, scratch)); }

std::string MemoryEstimate::describe() const {
  std::string s = "about " + mib(total()) + " (weights " + mib(weights);
  if (tables) s += ", position tables " + mib(tables);
  if (kv_cache)
    s += ", KV cache " + mib(kv_cache) + " for " + std::to_string(slots) + (slots == 1 ? " slot" : " slots") +
         " of " + std::to_string(context) + " positions";
  return s + ", scratch " + mib(scratch) + ")";
}

uint64_t held_weight_bytes(const safetensors::Checkpoint& ckpt, bool keep_bf16) {
  uint64_t n = 0;
  for (const auto& name : ckpt.names()) {
    const auto* t = ckpt.find(name);
    if (!t) continue;
    const uint64_t per = keep_bf16 && t->dtype == DType::bf16 ? 2 : kF32;
    n = mem_add(n, mem_mul(u(t->numel()), per));
  }
  return n;
}

MemoryEstimate estimate_decoder_memory(const DecoderConfig& c, uint64_t weight_bytes, const MemoryLimits& lim) {
  MemoryEstimate e;
  const uint64_t slots = u(std::max<int64_t>(1, lim.generation_slots));
  const uint64_t ctx = u(c.max_positions), layers = u(c.num_layers), vocab = u(c.vocab_size);
  const uint64_t H = u(c.hidden_size), I = u(c.intermediate_size);
  const uint64_t qd = mem_mul(u(c.num_heads), u(c.head_dim)), kvd = mem_mul(u(c.num_kv_heads), u(c.head_dim));
  e.weights = weight_bytes;
  if (c.family == DecoderConfig::Family::gpt2) {
    // Conv1D matrices are transposed into owned copies; the mapped originals were read once.
    e.weights = mem_add(e.weights, prod({layers, H, mem_add(mem_mul(4, H), mem_mul(2, I)), kF32}));
  } else {
    // Rope: cos and sin per position for rotary_dim / 2 frequencies.
    e.tables = prod({ctx, u(c.rope.rotary_dim / 2), 2, kF32});
  }
  // Each slot's KV cache may reach the whole context (keys + values, every layer).
  e.kv_cache = prod({slots, 2, layers, ctx, kvd, kF32});
  e.slots = int64_t(slots), e.context = c.max_positions;
  // Per slot: the forward scratch of one prefill chunk (x, h, q, att, gate, up), kept with
  // its state; the batched decode step's buffers and logits; sampling's per-vocab vectors.
  const uint64_t chunk = std::min<uint64_t>(u(std::max<int64_t>(1, lim.prefill_chunk)), ctx);
  const uint64_t row = mem_add(mem_add(mem_mul(2, H), mem_mul(2, qd)), mem_mul(2, I));
  uint64_t s = prod({slots, chunk, row, kF32});
  s = mem_add(s, prod({slots, mem_add(mem_add(row, mem_mul(2, kvd)), vocab), kF32}));
  s = mem_add(s, prod({slots, vocab, 40}));
  // One prefill's last-token logits and the attention score rows (one per thread).
  s = mem_add(s, mem_mul(vocab, kF32));
  s = mem_add(s, prod({u(ops::num_threads()), ctx, kF32}));
  e.scratch = s;
  return e;
}

MemoryEstimate estimate_encoder_memory(const layers::EncoderConfig& c, layers::HeadKind head, int64_t head_out,
                                       uint64_t weight_bytes, const MemoryLimits& lim) {
  MemoryEstimate e;
  const int64_t B = std::max<int64_t>(1, lim.encoder_batch), S = c.max_position_embeddings;
  const uint64_t h = u(c.hidden_size), out = u(head_out);
  // The layers' projections are also held packed for the engine's GEMM (ops::PackedWeights,
  // made at load): a second copy, output features rounded up to the widest panel (32).
  auto pad = [](uint64_t n) { return mem_mul((n + 31) / 32, 32); };
  const uint64_t inter = u(c.intermediate_size);
  uint64_t packed = mem_mul(u(c.num_hidden_layers),
                            mem_add(mem_add(mem_mul(4, mem_mul(pad(h), h)), mem_mul(pad(inter), h)),
                                    mem_mul(pad(h), inter)));
  if (c.embedding_size != c.hidden_size) packed = mem_add(packed, mem_mul(pad(h), u(c.embedding_size)));
  e.weights = mem_add(weight_bytes, mem_mul(packed, kF32));
  // The workspace of the largest forward: a full batch of sequences of the longest length
  // (one workspace: the scheduler runs one forward at a time).
  uint64_t floats = u(layers::encoder_workspace_floats(c, B, S));
  const bool pooled = head == layers::HeadKind::sequence_classification;
  if (pooled) {
    floats = mem_add(floats, prod({2, u(B), h}));  // first-token rows + dense output
    floats = mem_add(floats, mem_mul(u(B), out));  // logits [B, labels]
  } else {
    // Token-level heads run one sequence per forward: dense output and [S, out] logits.
    floats = mem_add(floats, mem_mul(u(S), h));
    floats = mem_add(floats, mem_mul(u(S), out));
  }
  // Returned hidden states / embeddings (the outputs copied out of the workspace).
  floats = mem_add(floats, mem_add(mem_mul(u(S), h), prod({u(B), 4, h})));
  e.scratch = mem_mul(floats, kF32);
  return e;
}

MemoryEstimate estimate_seq2seq_memory(const Seq2SeqShape& s, uint64_t weight_bytes, const MemoryLimits& lim) {
  (void)lim;  // one generation at a time per model (the scheduler's worker)
  MemoryEstimate e;
  e.weights = weight_bytes;
  const uint64_t S = u(s.max_source), T = u(s.max_target), D = u(s.d_model), inner = u(s.inner);
  const uint64_t F = u(s.d_ff), H = u(s.heads), beams = u(kMaxBeams);
  // Every hypothesis' self-attention keys/values at the longest output (copied on reorder:
  // twice), and the source's cross-attention keys/values in every decoder layer.
  e.kv_cache = mem_add(prod({2, beams, 2, u(s.dec_layers), T, inner, kF32}), prod({2, u(s.dec_layers), S, inner, kF32}));
  e.slots = kMaxBeams, e.context = s.max_target;
  // Encoder: hidden, normed, q, k, v, attention, output rows; FF (two branches); the position
  // bias [H, S, S]; per-thread score rows. Decoder step: the same per beam, plus logits and
  // the beam search's candidates over beams x vocab (scores and indices).
  uint64_t enc = mem_add(mem_mul(S, mem_add(mem_mul(3, D), mem_mul(4, inner))), mem_mul(2, mem_mul(S, F)));
  enc = mem_add(enc, prod({H, S, S}));
  enc = mem_add(enc, prod({u(ops::num_threads()), mem_add(S, T)}));
  uint64_t dec = mem_mul(beams, mem_add(mem_add(mem_mul(3, D), mem_mul(4, inner)), mem_mul(2, F)));
  dec = mem_add(dec, prod({beams, H, T}));
  dec = mem_add(dec, prod({beams, u(s.vocab), 4}));
  e.scratch = mem_mul(mem_add(enc, dec), kF32);
  return e;
}

Result<void> check_memory_budget(const MemoryEstimate& e, const MemoryLimits& lim) {
  if (lim.budget_bytes == 0 || e.total() <= lim.budget_bytes) return {};
  return fail(Errc::too_large, "the model needs " + e.describe() +
                                   ", more than this server's model memory budget (" +
                                   mib(lim.budget_bytes) + ", HUBD_MODEL_MEMORY_MB)");
}

}  // namespace hub::inference
