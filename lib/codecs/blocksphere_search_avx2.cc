// AVX2 kernel of blocksphere_nearest (compiled with -mavx2; see blocksphere_search.h).
#include <immintrin.h>

#include "lib/codecs/blocksphere_search.h"

namespace ipaq::detail {

void blocksphere_nearest_avx2(const float* u, size_t n_elems, size_t p, const float* transposed,
                              const float* half_norms, size_t K, uint16_t* idx) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (size_t e = 0; e < n_elems; ++e) {
    const float* x = u + e * p;
    __m256 xk[8];
    for (size_t k = 0; k < p && k < 8; ++k) xk[k] = _mm256_set1_ps(x[k]);
    __m256 best = _mm256_set1_ps(-__builtin_inff());
    __m256i best_idx = _mm256_setzero_si256();
    for (size_t c = 0; c < K; c += 8) {
      __m256 score = _mm256_sub_ps(_mm256_setzero_ps(), _mm256_loadu_ps(half_norms + c));
      for (size_t k = 0; k < p; ++k) {
        const __m256 kx = k < 8 ? xk[k] : _mm256_set1_ps(x[k]);
        score = _mm256_fmadd_ps(kx, _mm256_loadu_ps(transposed + k * K + c), score);
      }
      // Strictly greater: each lane keeps its first maximum (its indexes increase with c).
      const __m256 gt = _mm256_cmp_ps(score, best, _CMP_GT_OQ);
      best = _mm256_blendv_ps(best, score, gt);
      const __m256i cand = _mm256_add_epi32(lane, _mm256_set1_epi32(static_cast<int>(c)));
      best_idx = _mm256_castps_si256(
          _mm256_blendv_ps(_mm256_castsi256_ps(best_idx), _mm256_castsi256_ps(cand), gt));
    }
    alignas(32) float v[8];
    alignas(32) int32_t i[8];
    _mm256_store_ps(v, best);
    _mm256_store_si256(reinterpret_cast<__m256i*>(i), best_idx);
    int b = 0;
    for (int l = 1; l < 8; ++l)
      if (v[l] > v[b] || (v[l] == v[b] && i[l] < i[b])) b = l;
    idx[e] = static_cast<uint16_t>(i[b]);
  }
}

}  // namespace ipaq::detail
