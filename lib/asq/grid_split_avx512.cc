// The approximate solver's kernels with AVX-512 (grid_split_kernels.h; no FMA: lib/asq is built with
// -ffp-contract=off, so the bits equal SSE2's): min/max sixteen values per step; the split locates
// eight points per instruction, the eight lanes of V' in one register; the compaction keeps eight grid
// points per step with a register compress (vcompresspd to memory is slow on some CPUs) and one full
// store at k.

// GCC 12's own AVX-512 intrinsics trip -Wmaybe-uninitialized and -Wuninitialized through
// _mm512_undefined_*() (GCC bug 105593; here vminpd/vmaxpd and the conversions); the warnings are about
// the header, not this file. (File-wide: the shared driver's instantiation here is silenced too; the
// SSE2 and AVX2 files still warn for it.)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include <immintrin.h>

#include "lib/asq/grid_split_kernels.h"

namespace ipaq::asq::grid_split {
namespace {

template <bool kUnitWeights>
class Avx512Locator {
 public:
  Avx512Locator(double lo, double inv_step, double last_cell)
      : vlo_(_mm512_set1_pd(lo)), vinv_(_mm512_set1_pd(inv_step)), vlast_(_mm512_set1_pd(last_cell)) {}

  void group(const double* x, const double* w, int32_t* cell, double* p) {
    const __m512d u = _mm512_mul_pd(_mm512_sub_pd(_mm512_loadu_pd(x), vlo_), vinv_);
    const __m256i t = _mm512_cvttpd_epi32(_mm512_min_pd(u, vlast_));
    const __m512d q = _mm512_min_pd(_mm512_sub_pd(u, _mm512_cvtepi32_pd(t)), _mm512_set1_pd(1.0));
    const __m512d wq = kUnitWeights ? q : _mm512_mul_pd(_mm512_loadu_pd(w), q);
    variance_ = _mm512_add_pd(variance_, _mm512_sub_pd(wq, _mm512_mul_pd(wq, q)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(cell), t);
    _mm512_storeu_pd(p, q);
  }
  void lanes(double* out) const { _mm512_storeu_pd(out, variance_); }

 private:
  __m512d vlo_, vinv_, vlast_;
  __m512d variance_ = _mm512_setzero_pd();
};

}  // namespace

double split_uniform_avx512(const double* x, const double* w, size_t n, double lo, double inv_step,
                            double last_cell, double* point_weight) {
  return detail::split_uniform<Avx512Locator>(x, w, n, lo, inv_step, last_cell, point_weight);
}

bool min_max_avx512(const double* x, size_t n, double* low, double* high) {
  // As min_max_sse2: vminpd/vmaxpd return the running value when the input is NaN, which the unordered
  // compares catch; NaN at x[0] spreads into the result.
  __m512d lo0 = _mm512_set1_pd(x[0]), lo1 = lo0, hi0 = lo0, hi1 = lo0;
  __mmask8 nan = 0;
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512d a = _mm512_loadu_pd(x + i), b = _mm512_loadu_pd(x + i + 8);
    lo0 = _mm512_min_pd(a, lo0);
    lo1 = _mm512_min_pd(b, lo1);
    hi0 = _mm512_max_pd(a, hi0);
    hi1 = _mm512_max_pd(b, hi1);
    nan |= _mm512_cmp_pd_mask(a, b, _CMP_UNORD_Q);
  }
  double lo[8], hi[8];
  _mm512_storeu_pd(lo, _mm512_min_pd(lo0, lo1));
  _mm512_storeu_pd(hi, _mm512_max_pd(hi0, hi1));
  double low8 = lo[0], high8 = hi[0];  // no shared std:: template here (ISA flags)
  for (int k = 1; k < 8; ++k) {
    low8 = lo[k] < low8 ? lo[k] : low8;
    high8 = hi[k] > high8 ? hi[k] : high8;
  }
  return detail::finish_min_max(x, i, n, low8, high8, nan != 0, low, high);
}

size_t compact_uniform_avx512(double* point_weight, size_t first, size_t end, double lo, double step,
                              bool keep_all, double* points, double* kept_weights, size_t k) {
  size_t t = first;
  const __m512d vlo = _mm512_set1_pd(lo), vstep = _mm512_set1_pd(step), eight = _mm512_set1_pd(8.0),
                zero = _mm512_setzero_pd();
  __m512d vt = _mm512_add_pd(_mm512_set1_pd(static_cast<double>(t)), _mm512_set_pd(7, 6, 5, 4, 3, 2, 1, 0));
  for (; t + 8 <= end; t += 8) {
    const __m512d w = _mm512_loadu_pd(point_weight + t);
    _mm512_storeu_pd(point_weight + t, zero);
    const __m512d g = _mm512_add_pd(vlo, _mm512_mul_pd(vt, vstep));
    vt = _mm512_add_pd(vt, eight);
    const __mmask8 keep = keep_all ? __mmask8{0xff} : _mm512_cmp_pd_mask(w, zero, _CMP_GT_OQ);
    _mm512_storeu_pd(points + k, _mm512_maskz_compress_pd(keep, g));
    _mm512_storeu_pd(kept_weights + k, _mm512_maskz_compress_pd(keep, w));
    k += static_cast<size_t>(__builtin_popcount(keep));
  }
  return compact_uniform_sse2(point_weight, t, end, lo, step, keep_all, points, kept_weights, k);
}

}  // namespace ipaq::asq::grid_split
