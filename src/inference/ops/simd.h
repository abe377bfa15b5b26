// Private to ops/: AVX-512 vector math (exp, erf, tanh) used by the elementwise and norm
// kernels. Accuracy: exp ~1 ulp on [-87, 88]; erf and tanh within ~2e-7 absolute, which is
// what the GELU/tanh kernels need against torch's libm results. Header-only, stateless.
#pragma once

#if defined(__AVX512F__)
#include <immintrin.h>

namespace hub::inference::ops::simd {

inline __m512 exp(__m512 x) {
  x = _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(88.7f)), _mm512_set1_ps(-104.f));
  __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                  _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.f / 720);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 120));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 24));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  return _mm512_scalef_ps(p, n);
}

// Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7), odd-extended.
inline __m512 erf(__m512 x) {
  const __m512 sign_mask = _mm512_castsi512_ps(_mm512_set1_epi32(int(0x80000000u)));
  __m512 ax = _mm512_andnot_ps(sign_mask, x);
  __m512 sign = _mm512_and_ps(sign_mask, x);
  __m512 t = _mm512_div_ps(_mm512_set1_ps(1.f),
                           _mm512_fmadd_ps(_mm512_set1_ps(0.3275911f), ax, _mm512_set1_ps(1.f)));
  __m512 p = _mm512_set1_ps(1.061405429f);
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-1.453152027f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(1.421413741f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(-0.284496736f));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.254829592f));
  p = _mm512_mul_ps(p, t);
  __m512 e = exp(_mm512_mul_ps(_mm512_sub_ps(_mm512_setzero_ps(), ax), ax));
  __m512 y = _mm512_fnmadd_ps(p, e, _mm512_set1_ps(1.f));
  return _mm512_or_ps(y, sign);
}

// tanh(x) = sign(x) * (1 - 2 / (exp(2|x|) + 1)); small |x| uses x - x^3/3 + 2x^5/15 where the
// subtraction would cancel.
inline __m512 tanh(__m512 x) {
  const __m512 sign_mask = _mm512_castsi512_ps(_mm512_set1_epi32(int(0x80000000u)));
  __m512 ax = _mm512_andnot_ps(sign_mask, x);
  __m512 sign = _mm512_and_ps(sign_mask, x);
  __m512 e = exp(_mm512_add_ps(ax, ax));
  __m512 big = _mm512_sub_ps(_mm512_set1_ps(1.f),
                             _mm512_div_ps(_mm512_set1_ps(2.f), _mm512_add_ps(e, _mm512_set1_ps(1.f))));
  __m512 x2 = _mm512_mul_ps(ax, ax);
  __m512 s = _mm512_fmadd_ps(_mm512_set1_ps(-17.f / 315), x2, _mm512_set1_ps(2.f / 15));
  s = _mm512_fmadd_ps(s, x2, _mm512_set1_ps(-1.f / 3));
  s = _mm512_fmadd_ps(s, x2, _mm512_set1_ps(1.f));
  __m512 small = _mm512_mul_ps(s, ax);
  __mmask16 is_small = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(0.0625f), _CMP_LT_OQ);
  __m512 y = _mm512_mask_blend_ps(is_small, big, small);
  return _mm512_or_ps(y, sign);
}

inline __mmask16 tail_mask(int64_t remaining) {
  return remaining >= 16 ? __mmask16(0xffff) : __mmask16((1u << remaining) - 1);
}

}  // namespace hub::inference::ops::simd
#endif
