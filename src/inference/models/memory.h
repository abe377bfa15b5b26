// Model memory estimate: what a model will hold once loaded and serving — weights as held
// (f32, or bf16 for decoders that keep it), position tables (RoPE cos/sin), the KV cache of
// every generation slot at the full served context, and the forward scratch of the largest
// batch the pipelines run — computed from its config and the checkpoint's header BEFORE any
// tensor is loaded, so a config.json that would need gigabytes is refused with a clear error
// instead of being allocated. The model cache accounts this figure, not the weight files'
// size. Arithmetic saturates (a hostile config cannot overflow it). Pure functions;
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace hub::inference {

// (Declared here so decoder.h and model.h can include this header.)
struct DecoderConfig;
namespace layers {
struct EncoderConfig;
enum class HeadKind;
}  // namespace layers
namespace safetensors {
class Checkpoint;
}

// Sequences per encoder forward pass: the pipelines cut their padded batches at this size,
// so the largest encoder scratch is this many sequences of the model's longest length.
inline constexpr int64_t kMaxForwardBatch = 16;

// What the server will run a model with (the ModelCache budget, the generation engine's
// slots and prefill chunk). budget_bytes 0 means no limit (tools, tests, benches).
struct MemoryLimits {
  size_t budget_bytes = 0;
  int64_t generation_slots = 1;   // KV caches held at once (HUBD_GENERATION_SLOTS)
  int64_t prefill_chunk = 256;    // prompt tokens per decoder forward (GenerationEngineOptions)
  int64_t encoder_batch = kMaxForwardBatch;
};

struct MemoryEstimate {
  uint64_t weights = 0;   // tensors as held after load
  uint64_t tables = 0;    // RoPE cos/sin tables
  uint64_t kv_cache = 0;  // every slot's KV cache at the full served context
  uint64_t scratch = 0;   // forward buffers, logits, attention rows
  int64_t slots = 0, context = 0;  // what kv_cache was sized for (decoders)
  uint64_t total() const;
  // "about N MiB (weights A MiB, position tables B MiB, KV cache C MiB for S slots of P
  // positions, scratch D MiB)".
  std::string describe() const;
};

// Saturating helpers (UINT64_MAX stands for "more than anything").
uint64_t mem_mul(uint64_t a, uint64_t b);
uint64_t mem_add(uint64_t a, uint64_t b);

// Bytes the checkpoint's tensors take once loaded: 4 per value (f16/bf16/f64 convert to f32,
// f32 stay mapped), 2 per value for bf16 tensors when keep_bf16 (Llama-family decoders).
uint64_t held_weight_bytes(const safetensors::Checkpoint& ckpt, bool keep_bf16);

MemoryEstimate estimate_decoder_memory(const DecoderConfig& c, uint64_t weight_bytes, const MemoryLimits& lim);
// head_out: the head's output width (labels, 2 for QA, vocab for masked LM, 0 for none).
MemoryEstimate estimate_encoder_memory(const layers::EncoderConfig& c, layers::HeadKind head, int64_t head_out,
                                       uint64_t weight_bytes, const MemoryLimits& lim);

// An encoder-decoder's sizes (models/seq2seq.h). Beams: pipelines run at most kMaxBeams.
inline constexpr int64_t kMaxBeams = 16;
struct Seq2SeqShape {
  int64_t vocab = 0, d_model = 0, inner = 0, d_ff = 0, enc_layers = 0, dec_layers = 0, heads = 0;
  int64_t max_source = 0, max_target = 0;
};
// Weights, one source's encoder scratch and cross keys/values, kMaxBeams hypotheses' self-attention
// caches at max_target, their logits and the beam search's per-step buffers.
MemoryEstimate estimate_seq2seq_memory(const Seq2SeqShape& s, uint64_t weight_bytes, const MemoryLimits& lim);

// too_large when the estimate exceeds lim.budget_bytes (and a budget is set), naming each part.
Result<void> check_memory_budget(const MemoryEstimate& e, const MemoryLimits& lim);

}  // namespace hub::inference
