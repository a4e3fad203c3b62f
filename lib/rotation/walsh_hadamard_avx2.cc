// AVX2 kernel of randomized_hadamard (compiled with -mavx2 -mfma; called only when simd_level() >= avx2
// and n >= 8). Bit for bit the portable kernel: every output of every stage is u + v or u − v of the same
// two floats (float addition is commutative, so A + B lane-swapped equals the portable u + v), stages in
// the same order; the sign flip and the final scaling are the same multiplications. No FMA is used.
#include <immintrin.h>

#include "lib/rotation/walsh_hadamard.h"

namespace ipaq::detail {

namespace {

// Stages h = 1, 2, 4 inside one register of 8 consecutive floats: lanes whose bit h is clear get
// u + v (= A + B), the others u − v with u the partner B (lower index) and v the lane itself.
inline __m256 stages_1_2_4(__m256 a) {
  __m256 b = _mm256_permute_ps(a, 0xB1);  // [1,0,3,2] in each 128-bit half
  a = _mm256_blend_ps(_mm256_add_ps(a, b), _mm256_sub_ps(b, a), 0xAA);
  b = _mm256_permute_ps(a, 0x4E);  // [2,3,0,1]
  a = _mm256_blend_ps(_mm256_add_ps(a, b), _mm256_sub_ps(b, a), 0xCC);
  b = _mm256_permute2f128_ps(a, a, 0x01);  // halves swapped
  return _mm256_blend_ps(_mm256_add_ps(a, b), _mm256_sub_ps(b, a), 0xF0);
}

// Stages h and 2h (h >= 8) together on quadruples y[i], y[i+h], y[i+2h], y[i+3h].
inline void radix4(float* y, size_t n, size_t h) {
  for (size_t start = 0; start < n; start += 4 * h) {
    float* p0 = y + start;
    float* p1 = p0 + h;
    float* p2 = p1 + h;
    float* p3 = p2 + h;
    for (size_t i = 0; i < h; i += 8) {
      const __m256 a = _mm256_loadu_ps(p0 + i), b = _mm256_loadu_ps(p1 + i);
      const __m256 c = _mm256_loadu_ps(p2 + i), e = _mm256_loadu_ps(p3 + i);
      const __m256 s0 = _mm256_add_ps(a, b), s1 = _mm256_sub_ps(a, b);
      const __m256 s2 = _mm256_add_ps(c, e), s3 = _mm256_sub_ps(c, e);
      _mm256_storeu_ps(p0 + i, _mm256_add_ps(s0, s2));
      _mm256_storeu_ps(p1 + i, _mm256_add_ps(s1, s3));
      _mm256_storeu_ps(p2 + i, _mm256_sub_ps(s0, s2));
      _mm256_storeu_ps(p3 + i, _mm256_sub_ps(s1, s3));
    }
  }
}

inline void radix2(float* y, size_t n, size_t h) {
  for (size_t start = 0; start < n; start += 2 * h) {
    float* p0 = y + start;
    float* p1 = p0 + h;
    for (size_t i = 0; i < h; i += 8) {
      const __m256 a = _mm256_loadu_ps(p0 + i), b = _mm256_loadu_ps(p1 + i);
      _mm256_storeu_ps(p0 + i, _mm256_add_ps(a, b));
      _mm256_storeu_ps(p1 + i, _mm256_sub_ps(a, b));
    }
  }
}

}  // namespace

void randomized_hadamard_avx2(const float* x, size_t d, size_t n, const float* signs, int rounds, float scale,
                              float* y) {
  for (size_t i = 0; i < d; ++i) y[i] = x[i];
  for (size_t i = d; i < n; ++i) y[i] = 0.0f;
  for (int k = 0; k < rounds; ++k) {
    const float* s = signs + static_cast<size_t>(k) * n;
    for (size_t i = 0; i < n; i += 8)  // sign flip fused with the first three stages
      _mm256_storeu_ps(y + i, stages_1_2_4(_mm256_mul_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(s + i))));
    size_t h = 8;
    for (; 4 * h <= n; h *= 4) radix4(y, n, h);
    if (h < n) radix2(y, n, h);
  }
  const __m256 sc = _mm256_set1_ps(scale);
  for (size_t i = 0; i < n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), sc));
}

}  // namespace ipaq::detail
