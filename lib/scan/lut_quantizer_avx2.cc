// AVX2 kernels of the 16-entry LUT quantization (lib/scan/lut_quantizer_kernels.h): one row in two
// registers. The multiply and the add stay separate instructions: an empty asm statement between them
// hides the product from the compiler, so it cannot contract them into an FMA (the portable code has none).
#include <immintrin.h>

#include "lib/scan/lut_quantizer_kernels.h"

namespace ipaq::lut_detail {

float row_minima16_avx2(const float* lut, size_t nrows, float* lo, double* bias) {
  __m128 range = _mm_setzero_ps();
  double sum = *bias;
  for (size_t j = 0; j < nrows; ++j) {
    const __m256 a = _mm256_loadu_ps(lut + 16 * j), b = _mm256_loadu_ps(lut + 16 * j + 8);
    const __m256 mn8 = _mm256_min_ps(a, b), mx8 = _mm256_max_ps(a, b);
    __m128 mn = _mm_min_ps(_mm256_castps256_ps128(mn8), _mm256_extractf128_ps(mn8, 1));
    __m128 mx = _mm_max_ps(_mm256_castps256_ps128(mx8), _mm256_extractf128_ps(mx8, 1));
    mn = _mm_min_ps(mn, _mm_movehl_ps(mn, mn));
    mx = _mm_max_ps(mx, _mm_movehl_ps(mx, mx));
    mn = _mm_min_ss(mn, _mm_shuffle_ps(mn, mn, 1));
    mx = _mm_max_ss(mx, _mm_shuffle_ps(mx, mx, 1));
    const float low = _mm_cvtss_f32(mn);
    lo[j] = low;
    sum += low;
    range = _mm_max_ss(range, _mm_sub_ss(mx, mn));
  }
  *bias = sum;
  return _mm_cvtss_f32(range);
}

void quantize_rows16_avx2(const float* lut, size_t nrows, const float* lo, float inv, uint8_t* out) {
  const __m256 vinv = _mm256_set1_ps(inv), half = _mm256_set1_ps(0.5f);
  const __m256 zero = _mm256_setzero_ps(), top = _mm256_set1_ps(255.0f);
  for (size_t j = 0; j < nrows; ++j) {
    const __m256 low = _mm256_set1_ps(lo[j]);
    __m256i w[2];
    for (int k = 0; k < 2; ++k) {
      __m256 v = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(lut + 16 * j + 8 * k), low), vinv);
      __asm__("" : "+x"(v));  // no FMA contraction
      v = _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(v, half), zero), top);
      w[k] = _mm256_cvttps_epi32(v);
    }
    // Packing works per 128-bit lane: [w0 lo, w1 lo | w0 hi, w1 hi] as int16, then bytes, then reorder.
    const __m256i p16 = _mm256_packs_epi32(w[0], w[1]);
    const __m128i p8 = _mm_packus_epi16(_mm256_castsi256_si128(p16), _mm256_extracti128_si256(p16, 1));
    // p8 bytes: w0[0..3] w1[0..3] w0[4..7] w1[4..7] -> entries 0-3, 8-11, 4-7, 12-15.
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * j), _mm_shuffle_epi32(p8, _MM_SHUFFLE(3, 1, 2, 0)));
  }
}

}  // namespace ipaq::lut_detail
