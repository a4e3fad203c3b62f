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

// Sign flip and stages h = 1 .. 32 on one block of 64 floats held in 8 registers: stages 1, 2, 4 inside
// each register, then 8, 16, 32 between registers (register stride 1, 2, 4).
template <bool kScale>
inline void block64(float* y, const float* s, __m256 sc) {
  __m256 r[8];
  for (int k = 0; k < 8; ++k) r[k] = stages_1_2_4(_mm256_mul_ps(_mm256_loadu_ps(y + 8 * k), _mm256_loadu_ps(s + 8 * k)));
  for (int h = 1; h < 8; h *= 2)
    for (int k = 0; k < 8; ++k)
      if ((k & h) == 0) {
        const __m256 a = r[k], b = r[k + h];
        r[k] = _mm256_add_ps(a, b);
        r[k + h] = _mm256_sub_ps(a, b);
      }
  for (int k = 0; k < 8; ++k) _mm256_storeu_ps(y + 8 * k, kScale ? _mm256_mul_ps(r[k], sc) : r[k]);
}

// Stages h and 2h (h >= 8) together on quadruples y[i], y[i+h], y[i+2h], y[i+3h]; kScale: the outputs
// are then multiplied by sc (the rotation's final scaling, fused into its last pass).
template <bool kScale>
inline void radix4(float* y, size_t n, size_t h, __m256 sc) {
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
      __m256 o0 = _mm256_add_ps(s0, s2), o1 = _mm256_add_ps(s1, s3);
      __m256 o2 = _mm256_sub_ps(s0, s2), o3 = _mm256_sub_ps(s1, s3);
      if (kScale) {
        o0 = _mm256_mul_ps(o0, sc);
        o1 = _mm256_mul_ps(o1, sc);
        o2 = _mm256_mul_ps(o2, sc);
        o3 = _mm256_mul_ps(o3, sc);
      }
      _mm256_storeu_ps(p0 + i, o0);
      _mm256_storeu_ps(p1 + i, o1);
      _mm256_storeu_ps(p2 + i, o2);
      _mm256_storeu_ps(p3 + i, o3);
    }
  }
}

template <bool kScale>
inline void radix2(float* y, size_t n, size_t h, __m256 sc) {
  for (size_t start = 0; start < n; start += 2 * h) {
    float* p0 = y + start;
    float* p1 = p0 + h;
    for (size_t i = 0; i < h; i += 8) {
      const __m256 a = _mm256_loadu_ps(p0 + i), b = _mm256_loadu_ps(p1 + i);
      const __m256 o0 = _mm256_add_ps(a, b), o1 = _mm256_sub_ps(a, b);
      _mm256_storeu_ps(p0 + i, kScale ? _mm256_mul_ps(o0, sc) : o0);
      _mm256_storeu_ps(p1 + i, kScale ? _mm256_mul_ps(o1, sc) : o1);
    }
  }
}

// One round (sign flip + transform) for n >= 64, the scaling fused into its last pass when kScale.
template <bool kScale>
void round64(float* y, size_t n, const float* s, __m256 sc) {
  const bool blocks_last = n == 64;
  for (size_t i = 0; i < n; i += 64) {
    if (kScale && blocks_last) {
      block64<true>(y + i, s + i, sc);
    } else {
      block64<false>(y + i, s + i, sc);
    }
  }
  size_t h = 64;
  for (; 4 * h <= n; h *= 4) {
    if (kScale && 4 * h == n) {
      radix4<true>(y, n, h, sc);
    } else {
      radix4<false>(y, n, h, sc);
    }
  }
  if (h < n) radix2<kScale>(y, n, h, sc);
}

}  // namespace

void randomized_hadamard_avx2(const float* x, size_t d, size_t n, const float* signs, int rounds, float scale,
                              float* y) {
  for (size_t i = 0; i < d; ++i) y[i] = x[i];
  for (size_t i = d; i < n; ++i) y[i] = 0.0f;
  const __m256 sc = _mm256_set1_ps(scale);
  if (n >= 64) {  // blocks of 64 in registers, then radix-4 passes; the scaling fused into the last pass
    for (int k = 0; k < rounds; ++k) {
      const float* s = signs + static_cast<size_t>(k) * n;
      if (k + 1 == rounds) {
        round64<true>(y, n, s, sc);
      } else {
        round64<false>(y, n, s, sc);
      }
    }
    return;
  }
  for (int k = 0; k < rounds; ++k) {  // n = 8, 16, 32
    const float* s = signs + static_cast<size_t>(k) * n;
    for (size_t i = 0; i < n; i += 8)  // sign flip fused with the first three stages
      _mm256_storeu_ps(y + i, stages_1_2_4(_mm256_mul_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(s + i))));
    for (size_t h = 8; h < n; h *= 2) radix2<false>(y, n, h, sc);
  }
  for (size_t i = 0; i < n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), sc));
}

}  // namespace ipaq::detail
