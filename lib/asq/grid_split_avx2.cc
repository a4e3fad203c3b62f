// The uniform-grid split with AVX2: four points per instruction, eight lanes of V' in two registers
// (grid_split_kernels.h; no FMA: lib/asq is built with -ffp-contract=off, so the bits equal SSE2's).
#include <immintrin.h>

#include "lib/asq/grid_split_kernels.h"

namespace ipaq::asq::grid_split {
namespace {

template <bool kUnitWeights>
class Avx2Locator {
 public:
  Avx2Locator(double lo, double inv_step, double last_cell)
      : vlo_(_mm256_set1_pd(lo)), vinv_(_mm256_set1_pd(inv_step)), vlast_(_mm256_set1_pd(last_cell)) {}

  void group(const double* x, const double* w, int32_t* cell, double* p) {
    const __m256d one = _mm256_set1_pd(1.0);
    for (int r = 0; r < 2; ++r) {
      const __m256d u = _mm256_mul_pd(_mm256_sub_pd(_mm256_loadu_pd(x + 4 * r), vlo_), vinv_);
      const __m128i t = _mm256_cvttpd_epi32(_mm256_min_pd(u, vlast_));
      const __m256d q = _mm256_min_pd(_mm256_sub_pd(u, _mm256_cvtepi32_pd(t)), one);
      const __m256d wq = kUnitWeights ? q : _mm256_mul_pd(_mm256_loadu_pd(w + 4 * r), q);
      variance_[r] = _mm256_add_pd(variance_[r], _mm256_sub_pd(wq, _mm256_mul_pd(wq, q)));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(cell + 4 * r), t);
      _mm256_storeu_pd(p + 4 * r, q);
    }
  }
  void lanes(double* out) const {
    _mm256_storeu_pd(out, variance_[0]);
    _mm256_storeu_pd(out + 4, variance_[1]);
  }

 private:
  __m256d vlo_, vinv_, vlast_;
  __m256d variance_[2] = {_mm256_setzero_pd(), _mm256_setzero_pd()};
};

}  // namespace

double split_uniform_avx2(const double* x, const double* w, size_t n, double lo, double inv_step,
                          double last_cell, double* point_weight) {
  return detail::split_uniform<Avx2Locator>(x, w, n, lo, inv_step, last_cell, point_weight);
}

}  // namespace ipaq::asq::grid_split
