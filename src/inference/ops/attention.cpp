#include "inference/ops/attention.h"

#include "inference/ops/kernels.h"

#include <algorithm>
#include <cstring>

#include "inference/ops/norm.h"
#include "inference/ops/parallel.h"
#include "inference/ops/simd.h"

namespace hub::inference::ops {

namespace {

// Query rows per block: the score and weighted-sum loops keep 8 rows' results in registers.
constexpr int kRows = 8;
// Per (batch, head) task: kᵀ [head_dim, seq_pad] then kRows score rows [kRows, seq_pad].
inline int64_t seq_padded(int64_t seq) { return (seq + 31) / 32 * 32; }
inline int64_t task_scratch(const AttentionShape& s) { return (s.head_dim + kRows) * seq_padded(s.seq); }

}  // namespace

#ifdef HUBD_OPS_PRIMARY
int64_t attention_scratch_size(const AttentionShape& s, int /*n_threads*/) {
  return s.batch * s.n_head * task_scratch(s);
}
#endif

namespace HUBD_OPS_ISA {

namespace {

#if defined(__AVX512F__)
// scores[r][j] = scale * q_r · kᵀ[:, j] + mask[j] for r < kRows, j < seq: 8 rows x 32 keys of
// accumulators (16 registers, enough independent chains for both FMA pipes); rows past nq
// repeat row 0 (computed, not stored). kt is zero-padded to ldk (a multiple of 32).
void score_rows(const float* const* qrows, int nq, const float* kt, int64_t d, int64_t seq,
                int64_t ldk, const float* mask, float scale, float* scores, int64_t lds) {
  const float* q[kRows];
  for (int r = 0; r < kRows; ++r) q[r] = qrows[r < nq ? r : 0];
  const __m512 vs = _mm512_set1_ps(scale);
  for (int64_t j = 0; j < seq; j += 32) {
    __m512 acc0[kRows], acc1[kRows];
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) acc0[r] = acc1[r] = _mm512_setzero_ps();
    for (int64_t c = 0; c < d; ++c) {
      const __m512 k0 = _mm512_loadu_ps(kt + c * ldk + j), k1 = _mm512_loadu_ps(kt + c * ldk + j + 16);
#pragma GCC unroll 8
      for (int r = 0; r < kRows; ++r) {
        const __m512 qv = _mm512_set1_ps(q[r][c]);
        acc0[r] = _mm512_fmadd_ps(qv, k0, acc0[r]);
        acc1[r] = _mm512_fmadd_ps(qv, k1, acc1[r]);
      }
    }
    const __mmask16 m0 = simd::tail_mask(seq - j), m1 = seq - j <= 16 ? 0 : simd::tail_mask(seq - j - 16);
    const __m512 mv0 = mask ? _mm512_maskz_loadu_ps(m0, mask + j) : _mm512_setzero_ps();
    const __m512 mv1 = mask ? _mm512_maskz_loadu_ps(m1, mask + j + 16) : _mm512_setzero_ps();
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
      if (r >= nq) break;
      _mm512_mask_storeu_ps(scores + r * lds + j, m0, _mm512_fmadd_ps(acc0[r], vs, mv0));
      _mm512_mask_storeu_ps(scores + r * lds + j + 16, m1, _mm512_fmadd_ps(acc1[r], vs, mv1));
    }
  }
}

// out_r[c0, c0 + 16·NV) = Σ_j p_r[j] · v[j][...] for RS rows of p (rows past nq repeat row 0
// and are not stored): RS·NV accumulators.
template <int NV, int RS>
void weighted_block(const float* p, int64_t lds, int nq, const float* v, int64_t ldv, int64_t seq, int64_t c0,
                    int64_t d, float* out, int64_t ldo) {
  __mmask16 m[NV];
  for (int t = 0; t < NV; ++t) {
    const int64_t rem = d - c0 - 16 * t;
    m[t] = rem <= 0 ? __mmask16(0) : simd::tail_mask(rem);
  }
  const float* pr[RS];
  for (int r = 0; r < RS; ++r) pr[r] = p + (r < nq ? r : 0) * lds;
  __m512 acc[RS][NV];
#pragma GCC unroll 16
  for (int r = 0; r < RS; ++r)
#pragma GCC unroll 4
    for (int t = 0; t < NV; ++t) acc[r][t] = _mm512_setzero_ps();
  for (int64_t j = 0; j < seq; ++j) {
    const float* vr = v + j * ldv + c0;
    __m512 vv[NV];
#pragma GCC unroll 4
    for (int t = 0; t < NV; ++t) vv[t] = _mm512_maskz_loadu_ps(m[t], vr + 16 * t);
#pragma GCC unroll 16
    for (int r = 0; r < RS; ++r) {
      const __m512 pj = _mm512_set1_ps(pr[r][j]);
#pragma GCC unroll 4
      for (int t = 0; t < NV; ++t) acc[r][t] = _mm512_fmadd_ps(pj, vv[t], acc[r][t]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < RS; ++r) {
    if (r >= nq) break;
#pragma GCC unroll 4
    for (int t = 0; t < NV; ++t) _mm512_mask_storeu_ps(out + r * ldo + c0 + 16 * t, m[t], acc[r][t]);
  }
}

// out rows r < nq (row stride ldo) = p rows · v, in column chunks of up to 64.
void weighted_rows(const float* p, int64_t lds, int nq, const float* v, int64_t ldv, int64_t seq, int64_t d,
                   float* out, int64_t ldo) {
  for (int64_t c0 = 0; c0 < d; c0 += 64) {
    const int64_t w = std::min<int64_t>(64, d - c0);
    if (w > 32) {
      for (int r0 = 0; r0 < nq; r0 += 4)
        weighted_block<4, 4>(p + r0 * lds, lds, std::min(4, nq - r0), v, ldv, seq, c0, d, out + r0 * ldo, ldo);
    } else if (w > 16) {
      weighted_block<2, 8>(p, lds, nq, v, ldv, seq, c0, d, out, ldo);
    } else {
      weighted_block<1, 8>(p, lds, nq, v, ldv, seq, c0, d, out, ldo);
    }
  }
}
#else
void score_rows(const float* const* qrows, int nq, const float* kt, int64_t d, int64_t seq,
                int64_t ldk, const float* mask, float scale, float* scores, int64_t lds) {
  for (int r = 0; r < nq; ++r)
    for (int64_t j = 0; j < seq; ++j) {
      float acc = 0.f;
      for (int64_t c = 0; c < d; ++c) acc += qrows[r][c] * kt[c * ldk + j];
      scores[r * lds + j] = acc * scale + (mask ? mask[j] : 0.f);
    }
}

void weighted_rows(const float* p, int64_t lds, int nq, const float* v, int64_t ldv, int64_t seq, int64_t d,
                   float* out, int64_t ldo) {
  for (int r = 0; r < nq; ++r) {
    float* o = out + r * ldo;
    for (int64_t c = 0; c < d; ++c) o[c] = 0.f;
    for (int64_t j = 0; j < seq; ++j)
      for (int64_t c = 0; c < d; ++c) o[c] += p[r * lds + j] * v[j * ldv + c];
  }
}
#endif

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
      for (int64_t i = 0; i < seq; i += kRows) {
        const int nq = int(std::min<int64_t>(kRows, seq - i));
        const float* qrows[kRows];
        for (int r = 0; r < nq; ++r) qrows[r] = q + (b * seq + i + r) * s.q_stride + h * d;
        score_rows(qrows, nq, kt, d, seq, sp, mask, scale, scores, sp);
        for (int r = 0; r < nq; ++r) {
          if (head_bias) {
            const float* hb = head_bias + (h * seq + i + r) * seq;
            float* row = scores + r * sp;
            for (int64_t j = 0; j < seq; ++j) row[j] += hb[j];
          }
          softmax_row(scores + r * sp, seq);
        }
        weighted_rows(scores, sp, nq, vb, s.v_stride, seq, d, out + (b * seq + i) * s.out_stride + h * d,
                      s.out_stride);
      }
    }
  });
}

}  // namespace HUBD_OPS_ISA

}  // namespace hub::inference::ops
