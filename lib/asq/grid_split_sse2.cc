// The approximate solver's kernels with SSE2 (the x86-64 baseline; grid_split_kernels.h): min/max eight
// values per step; the split locates two points per instruction, eight lanes of V' in four registers;
// the compaction takes two grid points per step, without branches.
#include <emmintrin.h>

#include "lib/asq/grid_split_kernels.h"

namespace ipaq::asq::grid_split {
namespace {

template <bool kUnitWeights>
class Sse2Locator {
 public:
  Sse2Locator(double lo, double inv_step, double last_cell)
      : vlo_(_mm_set1_pd(lo)), vinv_(_mm_set1_pd(inv_step)), vlast_(_mm_set1_pd(last_cell)) {}

  void group(const double* x, const double* w, int32_t* cell, double* p) {
    const __m128d one = _mm_set1_pd(1.0);
    for (int r = 0; r < 4; ++r) {
      const __m128d u = _mm_mul_pd(_mm_sub_pd(_mm_loadu_pd(x + 2 * r), vlo_), vinv_);
      const __m128i t = _mm_cvttpd_epi32(_mm_min_pd(u, vlast_));
      const __m128d q = _mm_min_pd(_mm_sub_pd(u, _mm_cvtepi32_pd(t)), one);
      const __m128d wq = kUnitWeights ? q : _mm_mul_pd(_mm_loadu_pd(w + 2 * r), q);
      variance_[r] = _mm_add_pd(variance_[r], _mm_sub_pd(wq, _mm_mul_pd(wq, q)));
      _mm_storel_epi64(reinterpret_cast<__m128i*>(cell + 2 * r), t);
      _mm_storeu_pd(p + 2 * r, q);
    }
  }
  void lanes(double* out) const {
    for (int r = 0; r < 4; ++r) _mm_storeu_pd(out + 2 * r, variance_[r]);
  }

 private:
  __m128d vlo_, vinv_, vlast_;
  __m128d variance_[4] = {_mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd(), _mm_setzero_pd()};
};

}  // namespace

double split_uniform_sse2(const double* x, const double* w, size_t n, double lo, double inv_step,
                          double last_cell, double* point_weight) {
  return detail::split_uniform<Sse2Locator>(x, w, n, lo, inv_step, last_cell, point_weight);
}

bool min_max_sse2(const double* x, size_t n, double* low, double* high) {
  // minpd/maxpd return the second operand (the running value) when the first is NaN, so NaN is caught by
  // unordered compares of value pairs (one per two registers); NaN at x[0] spreads into the result.
  __m128d lo0 = _mm_set1_pd(x[0]), lo1 = lo0, hi0 = lo0, hi1 = lo0, nan = _mm_setzero_pd();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128d a = _mm_loadu_pd(x + i), b = _mm_loadu_pd(x + i + 2), c = _mm_loadu_pd(x + i + 4),
                  d = _mm_loadu_pd(x + i + 6);
    lo0 = _mm_min_pd(c, _mm_min_pd(a, lo0));
    lo1 = _mm_min_pd(d, _mm_min_pd(b, lo1));
    hi0 = _mm_max_pd(c, _mm_max_pd(a, hi0));
    hi1 = _mm_max_pd(d, _mm_max_pd(b, hi1));
    nan = _mm_or_pd(nan, _mm_or_pd(_mm_cmpunord_pd(a, b), _mm_cmpunord_pd(c, d)));
  }
  double lo[2], hi[2];
  _mm_storeu_pd(lo, _mm_min_pd(lo0, lo1));
  _mm_storeu_pd(hi, _mm_max_pd(hi0, hi1));
  return detail::finish_min_max(x, i, n, lo[1] < lo[0] ? lo[1] : lo[0], hi[1] > hi[0] ? hi[1] : hi[0],
                                _mm_movemask_pd(nan) != 0, low, high);
}

size_t compact_uniform_sse2(double* point_weight, size_t first, size_t end, double lo, double step, bool keep_all,
                            double* points, double* kept_weights, size_t k) {
  // Both points written at k and k + (first kept), k advanced by the kept count (a fifth to a half of
  // the points are non-empty, in no pattern, so no branch); g_t = lo + t·step as in the scalar tail.
  size_t t = first;
  const __m128d vlo = _mm_set1_pd(lo), vstep = _mm_set1_pd(step), two = _mm_set1_pd(2.0), zero = _mm_setzero_pd();
  __m128d vt = _mm_set_pd(static_cast<double>(t + 1), static_cast<double>(t));
  for (; t + 2 <= end; t += 2) {
    const __m128d w = _mm_loadu_pd(point_weight + t);
    _mm_storeu_pd(point_weight + t, zero);
    const __m128d g = _mm_add_pd(vlo, _mm_mul_pd(vt, vstep));
    vt = _mm_add_pd(vt, two);
    const int keep = keep_all ? 3 : _mm_movemask_pd(_mm_cmpgt_pd(w, zero));
    _mm_storel_pd(points + k, g);
    _mm_storel_pd(kept_weights + k, w);
    k += static_cast<size_t>(keep & 1);
    _mm_storeh_pd(points + k, g);
    _mm_storeh_pd(kept_weights + k, w);
    k += static_cast<size_t>(keep >> 1);
  }
  for (; t < end; ++t) {
    points[k] = lo + static_cast<double>(t) * step;
    kept_weights[k] = point_weight[t];
    k += keep_all || point_weight[t] > 0.0;
    point_weight[t] = 0.0;
  }
  return k;
}

}  // namespace ipaq::asq::grid_split
