// AVX2 kernel of randomized_hadamard (compiled with -mavx2 -mfma; called only when simd_level() >= avx2
// and n >= 8). Bit for bit the portable kernel: every output of every stage is u + v or u − v of the same
// two floats (float addition is commutative, so A + B lane-swapped equals the portable u + v), stages in
// the same order; the sign flip and the final scaling are the same multiplications. No FMA is used.
#include <immintrin.h>

#include "lib/rotation/walsh_hadamard.h"
#include "lib/rotation/walsh_hadamard_passes.h"

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

struct Avx2Ops {
  using Reg = __m256;
  static constexpr size_t kLanes = 8;
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm256_sub_ps(a, b); }
  static Reg mul(Reg a, Reg b) { return _mm256_mul_ps(a, b); }
  static Reg in_register(Reg a) { return stages_1_2_4(a); }
};

}  // namespace

void randomized_hadamard_avx2(const float* x, size_t d, size_t n, const float* signs, int rounds, float scale,
                              float* y) {
  const __m256 sc = _mm256_set1_ps(scale);
  if (n >= hadamard_passes::kBlock<Avx2Ops>) {
    // Blocks of 64 in registers, then radix-4 passes; the scaling fused into the last pass.
    hadamard_passes::rounds_from<Avx2Ops>(x, d, n, signs, rounds, sc, y);
    return;
  }
  for (size_t i = 0; i < d; ++i) y[i] = x[i];
  for (size_t i = d; i < n; ++i) y[i] = 0.0f;
  for (int k = 0; k < rounds; ++k) {  // n = 8, 16, 32
    const float* s = signs + static_cast<size_t>(k) * n;
    for (size_t i = 0; i < n; i += 8)  // sign flip fused with the first three stages
      _mm256_storeu_ps(y + i, stages_1_2_4(_mm256_mul_ps(_mm256_loadu_ps(y + i), _mm256_loadu_ps(s + i))));
    for (size_t h = 8; h < n; h *= 2) hadamard_passes::radix2<Avx2Ops, false>(y, n, h, sc);
  }
  for (size_t i = 0; i < n; i += 8) _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_loadu_ps(y + i), sc));
}

}  // namespace ipaq::detail
