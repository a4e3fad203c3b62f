// AVX-512 kernel of the 16-entry LUT quantization (lib/scan/lut_quantizer_kernels.h): one row per
// register (the row minima use the AVX2 kernel at this level too). The explicit-rounding intrinsics
// (_round_ps, round to nearest) are the plain IEEE operations and keep the compiler from contracting the
// multiply-add into an FMA (the portable code has none).
#include <immintrin.h>

// GCC 12's own AVX-512 intrinsics trip -Wmaybe-uninitialized through _mm512_undefined_*() (as in
// fastscan_4bit_avx512.cc); a false positive in the system header.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "lib/scan/lut_quantizer_kernels.h"

namespace ipaq::lut_detail {

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
