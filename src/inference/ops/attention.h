// Multi-head scaled dot-product attention over a batch, with an additive per-key mask (the
// BERT "extended attention mask": 0 for kept keys, a large negative for masked ones).
// Threaded over (batch, head). Stateless; callers pass scratch. Thread-safe.
#pragma once

#include <cstdint>

namespace hub::inference::ops {

struct AttentionShape {
  int64_t batch = 0, seq = 0, n_head = 0, head_dim = 0;
  // Row strides (in floats) of q, k, v and out; each row holds all heads side by side
  // (head h at columns [h*head_dim, (h+1)*head_dim)). Rows are batch-major: row = b*seq + s.
  int64_t q_stride = 0, k_stride = 0, v_stride = 0, out_stride = 0;
};

// Floats of scratch attention() needs for `n_threads` workers.
int64_t attention_scratch_size(const AttentionShape& s, int n_threads);

// out = softmax(q·kᵀ·scale + head_bias[h, query, key] + mask_add[b, key]) · v per (batch,
// head). mask_add is [batch, seq] and head_bias [n_head, seq, seq] (MPNet's relative position
// bias, shared by the batch); either may be null. scratch holds
// attention_scratch_size(s, num_threads()) floats.
void attention(const AttentionShape& s, const float* q, const float* k, const float* v,
               const float* mask_add, const float* head_bias, float scale, float* out,
               float* scratch);

}  // namespace hub::inference::ops
