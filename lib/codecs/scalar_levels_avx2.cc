// AVX2 kernel of ScalarLevels::nearest_n for small level sets: per value, the number of midpoints it
// exceeds (x > m, ordered compare: the scalar loop's predicate), counted in registers for 16 values.
#include <immintrin.h>

#include "lib/codecs/scalar_levels.h"

namespace ipaq::detail {

size_t count_above_avx2(const float* mid, size_t n_mid, const float* x, size_t n, uint16_t* out) {
  const size_t full = n & ~size_t{15};
  for (size_t i = 0; i < full; i += 16) {
    const __m256 x0 = _mm256_loadu_ps(x + i), x1 = _mm256_loadu_ps(x + i + 8);
    __m256i c0 = _mm256_setzero_si256(), c1 = _mm256_setzero_si256();
    for (size_t j = 0; j < n_mid; ++j) {
      const __m256 m = _mm256_broadcast_ss(mid + j);
      c0 = _mm256_sub_epi32(c0, _mm256_castps_si256(_mm256_cmp_ps(x0, m, _CMP_GT_OQ)));  // mask = −1
      c1 = _mm256_sub_epi32(c1, _mm256_castps_si256(_mm256_cmp_ps(x1, m, _CMP_GT_OQ)));
    }
    // Pack 2 × 8 int32 counts (<= n_mid < 2^16) to 16 uint16 in order.
    const __m256i packed = _mm256_packus_epi32(c0, c1);  // [c0 lo, c1 lo, c0 hi, c1 hi] per 128-bit lane
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm256_permute4x64_epi64(packed, 0xD8));
  }
  return full;
}

}  // namespace ipaq::detail
