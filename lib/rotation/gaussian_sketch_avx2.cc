// AVX2+FMA kernel of GaussianSketch (compiled with -mavx2 -mfma; called only when simd_level() >= avx2).
// Same per-output arithmetic as gaussian_sketch_rows_portable: bitwise identical results.
#include <immintrin.h>

#include <cmath>

#include "lib/rotation/gaussian_sketch.h"

namespace ipaq::detail {

namespace {

inline float reduce(__m256 a) {
  // ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)), as the portable kernel.
  const __m128 h = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));  // [a0+a4, a1+a5, a2+a6, a3+a7]
  const __m128 p = _mm_add_ps(h, _mm_movehl_ps(h, h));                                 // [(a0+a4)+(a2+a6), (a1+a5)+(a3+a7), ..]
  return _mm_cvtss_f32(_mm_add_ss(p, _mm_shuffle_ps(p, p, 1)));
}

// RB rows of S against VB vectors: RB·VB independent accumulators, S row chunks held in registers.
template <int RB, int VB>
inline void block(const float* S, size_t rows, size_t D, const float* x, size_t i0, size_t v0, float* y) {
  const size_t D8 = D & ~size_t{7};
  __m256 acc[RB][VB];
  for (int r = 0; r < RB; ++r)
    for (int v = 0; v < VB; ++v) acc[r][v] = _mm256_setzero_ps();
  for (size_t j = 0; j < D8; j += 8) {
    __m256 s[RB];
    for (int r = 0; r < RB; ++r) s[r] = _mm256_loadu_ps(S + (i0 + r) * D + j);
    for (int v = 0; v < VB; ++v) {
      const __m256 xv = _mm256_loadu_ps(x + (v0 + v) * D + j);
      for (int r = 0; r < RB; ++r) acc[r][v] = _mm256_fmadd_ps(s[r], xv, acc[r][v]);
    }
  }
  for (int r = 0; r < RB; ++r) {
    const float* s = S + (i0 + r) * D;
    for (int v = 0; v < VB; ++v) {
      const float* xv = x + (v0 + v) * D;
      float tail = 0.0f;
      for (size_t j = D8; j < D; ++j) tail = std::fma(s[j], xv[j], tail);
      y[(v0 + v) * rows + i0 + r] = reduce(acc[r][v]) + tail;
    }
  }
}

template <int RB>
inline void row_block(const float* S, size_t rows, size_t D, const float* x, size_t m, size_t i0, float* y) {
  size_t v = 0;
  for (; v + 3 <= m; v += 3) block<RB, 3>(S, rows, D, x, i0, v, y);
  if (m - v == 2) block<RB, 2>(S, rows, D, x, i0, v, y);
  if (m - v == 1) block<RB, 1>(S, rows, D, x, i0, v, y);
}

}  // namespace

void gaussian_sketch_rows_avx2(const float* S, size_t rows, size_t D, const float* x, size_t m, float* y) {
  // Rows outer, vectors inner: a block of 4 rows of S (16 KiB at D = 1024) stays in L1 while every vector
  // passes, so S is read from memory once per call.
  size_t i = 0;
  for (; i + 4 <= rows; i += 4) row_block<4>(S, rows, D, x, m, i, y);
  for (; i < rows; ++i) row_block<1>(S, rows, D, x, m, i, y);
}

}  // namespace ipaq::detail
