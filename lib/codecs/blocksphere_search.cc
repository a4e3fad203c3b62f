#include "lib/codecs/blocksphere_search.h"

#include <cmath>
#include <vector>

#include "lib/core/simd_level.h"

namespace ipaq {

void blocksphere_nearest(const float* u, size_t n_elems, size_t p, const float* transposed,
                         const float* half_norms, size_t K, uint16_t* idx) {
  if (K % 8 == 0 && simd_level() >= SimdLevel::kAvx2) {
    detail::blocksphere_nearest_avx2(u, n_elems, p, transposed, half_norms, K, idx);
  } else {
    detail::blocksphere_nearest_portable(u, n_elems, p, transposed, half_norms, K, idx);
  }
}

namespace detail {

void blocksphere_nearest_portable(const float* u, size_t n_elems, size_t p, const float* transposed,
                                  const float* half_norms, size_t K, uint16_t* idx) {
  std::vector<float> score(K);
  for (size_t e = 0; e < n_elems; ++e) {
    const float* x = u + e * p;
    for (size_t c = 0; c < K; ++c) score[c] = -half_norms[c];
    for (size_t k = 0; k < p; ++k) {
      const float* row = transposed + k * K;
      for (size_t c = 0; c < K; ++c) score[c] = std::fma(x[k], row[c], score[c]);
    }
    size_t best = 0;
    for (size_t c = 1; c < K; ++c)
      if (score[c] > score[best]) best = c;
    idx[e] = static_cast<uint16_t>(best);
  }
}

}  // namespace detail

}  // namespace ipaq
