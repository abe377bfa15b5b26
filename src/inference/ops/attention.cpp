#include "inference/ops/attention.h"

#include "inference/ops/kernels.h"

#include <algorithm>
#include <cstring>

#include "inference/ops/norm.h"
#include "inference/ops/parallel.h"
#include "inference/ops/simd.h"

namespace hub::inference::ops {

namespace {

// Per (batch, head) task: kᵀ [head_dim, seq_pad] then 4 score rows [4, seq_pad].
inline int64_t seq_padded(int64_t seq) { return (seq + 15) / 16 * 16; }
inline int64_t task_scratch(const AttentionShape& s) { return (s.head_dim + 4) * seq_padded(s.seq); }

}  // namespace

#ifdef HUBD_OPS_PRIMARY
int64_t attention_scratch_size(const AttentionShape& s, int /*n_threads*/) {
  return s.batch * s.n_head * task_scratch(s);
}
#endif

namespace HUBD_OPS_ISA {

namespace {

// scores[r][j] = scale * q_r · kᵀ[:, j] + mask[j] for rows r < nq (<= 4), j < seq.
void score_rows(const float* const* qrows, int nq, const float* kt, int64_t d, int64_t seq,
                int64_t ldk, const float* mask, float scale, float* scores, int64_t lds) {
#if defined(__AVX512F__)
  for (int64_t j = 0; j < seq; j += 16) {
    __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                     _mm512_setzero_ps()};
    for (int64_t c = 0; c < d; ++c) {
      __m512 kv = _mm512_loadu_ps(kt + c * ldk + j);
      for (int r = 0; r < nq; ++r) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(qrows[r][c]), kv, acc[r]);
    }
    __mmask16 m = simd::tail_mask(seq - j);
    __m512 mv = mask ? _mm512_maskz_loadu_ps(m, mask + j) : _mm512_setzero_ps();
    for (int r = 0; r < nq; ++r)
      _mm512_mask_storeu_ps(scores + r * lds + j, m,
                            _mm512_fmadd_ps(acc[r], _mm512_set1_ps(scale), mv));
  }
#else
  for (int r = 0; r < nq; ++r)
    for (int64_t j = 0; j < seq; ++j) {
      float acc = 0.f;
      for (int64_t c = 0; c < d; ++c) acc += qrows[r][c] * kt[c * ldk + j];
      scores[r * lds + j] = acc * scale + (mask ? mask[j] : 0.f);
    }
#endif
}

// out[0, d) = Σ_j p[j] · v[j][0, d).
void weighted_sum(const float* p, const float* v, int64_t ldv, int64_t seq, int64_t d,
                  float* out) {
#if defined(__AVX512F__)
  for (int64_t c = 0; c < d; c += 64) {
    __mmask16 m[4];
    __m512 acc[4];
    for (int t = 0; t < 4; ++t) {
      int64_t rem = d - c - 16 * t;
      m[t] = rem <= 0 ? __mmask16(0) : simd::tail_mask(rem);
      acc[t] = _mm512_setzero_ps();
    }
    for (int64_t j = 0; j < seq; ++j) {
      __m512 pj = _mm512_set1_ps(p[j]);
      const float* vr = v + j * ldv + c;
      for (int t = 0; t < 4; ++t)
        acc[t] = _mm512_fmadd_ps(pj, _mm512_maskz_loadu_ps(m[t], vr + 16 * t), acc[t]);
    }
    for (int t = 0; t < 4; ++t) _mm512_mask_storeu_ps(out + c + 16 * t, m[t], acc[t]);
  }
#else
  for (int64_t c = 0; c < d; ++c) out[c] = 0.f;
  for (int64_t j = 0; j < seq; ++j)
    for (int64_t c = 0; c < d; ++c) out[c] += p[j] * v[j * ldv + c];
#endif
}

}  // namespace

void attention(const AttentionShape& s, const float* q, const float* k, const float* v,
               const float* mask_add, const float* head_bias, float scale, float* out,
               float* scratch) {
  const int64_t d = s.head_dim, seq = s.seq, sp = seq_padded(seq);
  parallel_for(s.batch * s.n_head, 1, [&](int64_t begin, int64_t end) {
    for (int64_t task = begin; task < end; ++task) {
      int64_t b = task / s.n_head, h = task % s.n_head;
      float* kt = scratch + task * task_scratch(s);
      float* scores = kt + d * sp;
      // Transpose this head's keys so the score loop streams contiguous key columns.
      for (int64_t j = 0; j < seq; ++j) {
        const float* kr = k + (b * seq + j) * s.k_stride + h * d;
        for (int64_t c = 0; c < d; ++c) kt[c * sp + j] = kr[c];
      }
      for (int64_t c = 0; c < d; ++c)
        for (int64_t j = seq; j < sp; ++j) kt[c * sp + j] = 0.f;
      const float* mask = mask_add ? mask_add + b * seq : nullptr;
      const float* vb = v + b * seq * s.v_stride + h * d;
      for (int64_t i = 0; i < seq; i += 4) {
        int nq = int(std::min<int64_t>(4, seq - i));
        const float* qrows[4];
        for (int r = 0; r < nq; ++r) qrows[r] = q + (b * seq + i + r) * s.q_stride + h * d;
        score_rows(qrows, nq, kt, d, seq, sp, mask, scale, scores, sp);
        for (int r = 0; r < nq; ++r) {
          if (head_bias) {
            const float* hb = head_bias + (h * seq + i + r) * seq;
            float* row = scores + r * sp;
            for (int64_t j = 0; j < seq; ++j) row[j] += hb[j];
          }
          softmax_row(scores + r * sp, seq);
          weighted_sum(scores + r * sp, vb, s.v_stride, seq, d,
                       out + (b * seq + i + r) * s.out_stride + h * d);
        }
      }
    }
  });
}

}  // namespace HUBD_OPS_ISA

}  // namespace hub::inference::ops
