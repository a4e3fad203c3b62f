// AVX2 kernel of build_lut4_rows (lib/codecs/lut4_rows.h): per row, the element terms are float products
// (as the reference's double product rounded to float), widened to double and added in element order in
// 4-lane double vectors, then rounded to float once — the reference's operations on the same operands.
#include <immintrin.h>

#include "lib/codecs/lut4_rows.h"

namespace ipaq {

namespace {

// 1 bit, 4 elements per row: v = b0 | b1 << 1 | b2 << 2 | b3 << 3, entry = ((t0[b0] + t1[b1]) + t2[b2]) + t3[b3].
inline void row_1bit(const float* q, const float* w, float* row) {
  const __m128 q4 = _mm_loadu_ps(q);
  const __m256d d0 = _mm256_cvtps_pd(_mm_mul_ps(q4, _mm_set1_ps(w[0])));  // t0[0] t1[0] t2[0] t3[0]
  const __m256d d1 = _mm256_cvtps_pd(_mm_mul_ps(q4, _mm_set1_ps(w[1])));  // t0[1] t1[1] t2[1] t3[1]
  const __m256d lo = _mm256_unpacklo_pd(d0, d1);                           // t0[0] t0[1] t2[0] t2[1]
  const __m256d hi = _mm256_unpackhi_pd(d0, d1);                           // t1[0] t1[1] t3[0] t3[1]
  // a[v] for v < 4: t0[v & 1] + t1[v >> 1].
  const __m256d a = _mm256_add_pd(_mm256_permute4x64_pd(lo, 0x44), _mm256_permute4x64_pd(hi, 0x50));
  const __m256d b0 = _mm256_add_pd(a, _mm256_permute4x64_pd(d0, 0xAA));  // + t2[0]
  const __m256d b1 = _mm256_add_pd(a, _mm256_permute4x64_pd(d1, 0xAA));  // + t2[1]
  const __m256d t30 = _mm256_permute4x64_pd(d0, 0xFF), t31 = _mm256_permute4x64_pd(d1, 0xFF);
  const __m128 e0 = _mm256_cvtpd_ps(_mm256_add_pd(b0, t30)), e1 = _mm256_cvtpd_ps(_mm256_add_pd(b1, t30));
  const __m128 e2 = _mm256_cvtpd_ps(_mm256_add_pd(b0, t31)), e3 = _mm256_cvtpd_ps(_mm256_add_pd(b1, t31));
  _mm256_storeu_ps(row, _mm256_set_m128(e1, e0));
  _mm256_storeu_ps(row + 8, _mm256_set_m128(e3, e2));
}

// 2 bits, 2 elements per row: entry v = t0[v & 3] + t1[v >> 2].
inline void row_2bit(const float* q, const float* w, float* row) {
  const __m128 w4 = _mm_loadu_ps(w);
  const __m256d t0 = _mm256_cvtps_pd(_mm_mul_ps(_mm_set1_ps(q[0]), w4));
  alignas(16) float t1[4];
  _mm_store_ps(t1, _mm_mul_ps(_mm_set1_ps(q[1]), w4));
  for (int k = 0; k < 4; ++k) {
    _mm_storeu_ps(row + 4 * k, _mm256_cvtpd_ps(_mm256_add_pd(t0, _mm256_set1_pd(static_cast<double>(t1[k])))));
  }
}

// 4 bits, 1 element per row: entry v = float(q · w[v]).
inline void row_4bit(const float* q, const float* w, float* row) {
  const __m256 qv = _mm256_set1_ps(q[0]);
  _mm256_storeu_ps(row, _mm256_mul_ps(qv, _mm256_loadu_ps(w)));
  _mm256_storeu_ps(row + 8, _mm256_mul_ps(qv, _mm256_loadu_ps(w + 8)));
}

template <int kBits, void (*Row)(const float*, const float*, float*)>
void rows_loop(size_t nrows, const float* q, const float* books, size_t rows_per_book, float* rows) {
  constexpr size_t kElems = 4 / kBits, kWords = size_t{1} << kBits;
  if (rows_per_book == 0) {
    for (size_t j = 0; j < nrows; ++j) Row(q + kElems * j, books, rows + 16 * j);
    return;
  }
  for (size_t j = 0; j < nrows; ++j) Row(q + kElems * j, books + (j / rows_per_book) * kWords, rows + 16 * j);
}

}  // namespace

void build_lut4_rows_avx2(int elem_bits, size_t nrows, const float* q, const float* books, size_t rows_per_book,
                          float* rows) {
  switch (elem_bits) {
    case 1: rows_loop<1, row_1bit>(nrows, q, books, rows_per_book, rows); break;
    case 2: rows_loop<2, row_2bit>(nrows, q, books, rows_per_book, rows); break;
    default: rows_loop<4, row_4bit>(nrows, q, books, rows_per_book, rows); break;
  }
}

}  // namespace ipaq
