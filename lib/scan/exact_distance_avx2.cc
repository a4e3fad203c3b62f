// AVX2 kernels of lib/scan/exact_distance.h: four 8-lane FMA accumulators (32 floats per step), then 8 at
// a time, a scalar tail.
#include <immintrin.h>

#include "lib/scan/exact_distance.h"

namespace ipaq::exact_detail {

namespace {

inline float horizontal_sum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

template <bool kL2>
inline __m256 term_add(__m256 acc, const float* a, const float* b) {
  const __m256 x = _mm256_loadu_ps(a), y = _mm256_loadu_ps(b);
  if constexpr (kL2) {
    const __m256 t = _mm256_sub_ps(x, y);
    return _mm256_fmadd_ps(t, t, acc);
  } else {
    return _mm256_fmadd_ps(x, y, acc);
  }
}

template <bool kL2>
float run(const float* a, const float* b, size_t d) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 32 <= d; i += 32) {
    s0 = term_add<kL2>(s0, a + i, b + i);
    s1 = term_add<kL2>(s1, a + i + 8, b + i + 8);
    s2 = term_add<kL2>(s2, a + i + 16, b + i + 16);
    s3 = term_add<kL2>(s3, a + i + 24, b + i + 24);
  }
  for (; i + 8 <= d; i += 8) s0 = term_add<kL2>(s0, a + i, b + i);
  float tail = 0.0f;
  for (; i < d; ++i) {
    const float t = kL2 ? a[i] - b[i] : a[i];
    tail += kL2 ? t * t : t * b[i];
  }
  return horizontal_sum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3))) + tail;
}

}  // namespace

float inner_product_avx2(const float* a, const float* b, size_t d) { return run<false>(a, b, d); }
float l2sqr_avx2(const float* a, const float* b, size_t d) { return run<true>(a, b, d); }

}  // namespace ipaq::exact_detail
