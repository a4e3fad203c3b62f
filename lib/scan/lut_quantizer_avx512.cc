// AVX-512 kernels of the 16-entry LUT quantization (lib/scan/lut_quantizer_kernels.h): row minima and
// maxima 16 rows at a time (a shuffle tree, the AVX2 kernel for the remainder), entries one row per register. The explicit-rounding intrinsics
// (_round_ps, round to nearest) are the plain IEEE operations and keep the compiler from contracting the
// multiply-add into an FMA (the portable code has none).
#include <immintrin.h>

// GCC 12's own AVX-512 intrinsics trip -Wmaybe-uninitialized through _mm512_undefined_*() (as in
// fastscan_4bit_avx512.cc); a false positive in the system header.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include <algorithm>

#include "lib/scan/lut_quantizer_kernels.h"

namespace ipaq::lut_detail {

namespace {

// One level of the 16-row reduction: combines a and b into op(shuffles) (see row_minima16_avx512).
template <bool kMin>
inline __m512 pick(__m512 a, __m512 b) {
  return kMin ? _mm512_min_ps(a, b) : _mm512_max_ps(a, b);
}

// The min (kMin) or max of each of 16 rows held in r[0..15], as one register in row order: four levels of
// lane shuffles halve the partial results per row (512 -> 256 bits between row pairs i, i + 8; 128-bit
// quarters; 64-bit pairs; single lanes), then one permutation puts the rows in order. Min and max are exact,
// so the order of the comparisons does not change the result.
template <bool kMin>
inline __m512 reduce16(const __m512* r) {
  __m512 m1[8], m2[4], m3[2];
  for (int i = 0; i < 8; ++i)
    m1[i] = pick<kMin>(_mm512_shuffle_f32x4(r[i], r[i + 8], 0x44), _mm512_shuffle_f32x4(r[i], r[i + 8], 0xEE));
  for (int i = 0; i < 4; ++i)
    m2[i] = pick<kMin>(_mm512_shuffle_f32x4(m1[i], m1[i + 4], 0x88), _mm512_shuffle_f32x4(m1[i], m1[i + 4], 0xDD));
  for (int i = 0; i < 2; ++i)
    m3[i] = pick<kMin>(_mm512_shuffle_ps(m2[i], m2[i + 2], 0x44), _mm512_shuffle_ps(m2[i], m2[i + 2], 0xEE));
  const __m512 m4 = pick<kMin>(_mm512_shuffle_ps(m3[0], m3[1], 0x88), _mm512_shuffle_ps(m3[0], m3[1], 0xDD));
  // Lane 4q + p of m4 holds row {0, 8, 4, 12}[q] + {0, 2, 1, 3}[p].
  const __m512i order = _mm512_set_epi32(15, 13, 14, 12, 7, 5, 6, 4, 11, 9, 10, 8, 3, 1, 2, 0);
  return _mm512_permutexvar_ps(order, m4);
}

}  // namespace

float row_minima16_avx512(const float* lut, size_t nrows, float* lo, double* bias) {
  __m512 range = _mm512_setzero_ps();
  double sum = *bias;
  size_t j = 0;
  for (; j + 16 <= nrows; j += 16) {
    __m512 r[16];
    for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(lut + 16 * (j + i));
    const __m512 mn = reduce16<true>(r), mx = reduce16<false>(r);
    _mm512_storeu_ps(lo + j, mn);
    range = _mm512_max_ps(range, _mm512_sub_ps(mx, mn));
    for (int i = 0; i < 16; ++i) sum += lo[j + i];  // in row order, as the portable code
  }
  *bias = sum;
  float max_range = _mm512_reduce_max_ps(range);
  if (j < nrows) max_range = std::max(max_range, row_minima16_avx2(lut + 16 * j, nrows - j, lo + j, bias));
  return max_range;
}

void quantize_rows16_avx512(const float* lut, size_t nrows, const float* lo, float inv, uint8_t* out) {
  constexpr int kNearest = _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC;
  const __m512 vinv = _mm512_set1_ps(inv), half = _mm512_set1_ps(0.5f);
  const __m512 zero = _mm512_setzero_ps(), top = _mm512_set1_ps(255.0f);
  for (size_t j = 0; j < nrows; ++j) {
    const __m512 d = _mm512_sub_ps(_mm512_loadu_ps(lut + 16 * j), _mm512_set1_ps(lo[j]));
    __m512 v = _mm512_add_round_ps(_mm512_mul_round_ps(d, vinv, kNearest), half, kNearest);
    v = _mm512_min_ps(_mm512_max_ps(v, zero), top);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * j), _mm512_cvtepi32_epi8(_mm512_cvttps_epi32(v)));
  }
}

}  // namespace ipaq::lut_detail
