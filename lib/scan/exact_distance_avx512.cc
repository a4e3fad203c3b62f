// AVX-512 kernels of lib/scan/exact_distance.h: four 16-lane FMA accumulators (64 floats per step), then
// 16 at a time, a masked tail.
#include <immintrin.h>

// GCC 12's own AVX-512 intrinsics trip -Wmaybe-uninitialized through _mm512_undefined_*() (as in
// fastscan_4bit_avx512.cc; _mm512_reduce_add_ps also -Wuninitialized); false positives in the system header.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "lib/scan/exact_distance.h"

namespace ipaq::exact_detail {

namespace {

template <bool kL2>
inline __m512 term_add(__m512 acc, __m512 x, __m512 y) {
  if constexpr (kL2) {
    const __m512 t = _mm512_sub_ps(x, y);
    return _mm512_fmadd_ps(t, t, acc);
  } else {
    return _mm512_fmadd_ps(x, y, acc);
  }
}

template <bool kL2>
float run(const float* a, const float* b, size_t d) {
  __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 64 <= d; i += 64) {
    s0 = term_add<kL2>(s0, _mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
    s1 = term_add<kL2>(s1, _mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
    s2 = term_add<kL2>(s2, _mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
    s3 = term_add<kL2>(s3, _mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));
  }
  for (; i + 16 <= d; i += 16) s0 = term_add<kL2>(s0, _mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
  if (i < d) {
    const __mmask16 m = static_cast<__mmask16>((1u << (d - i)) - 1);
    s1 = term_add<kL2>(s1, _mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

}  // namespace

float inner_product_avx512(const float* a, const float* b, size_t d) { return run<false>(a, b, d); }
float l2sqr_avx512(const float* a, const float* b, size_t d) { return run<true>(a, b, d); }

}  // namespace ipaq::exact_detail
