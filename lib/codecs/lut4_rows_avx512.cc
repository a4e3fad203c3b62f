// AVX-512 kernels of build_lut4_rows for 1- and 2-bit elements (lib/codecs/lut4_rows.h): the 8 element
// terms of a row (float products, as the reference) widened to one register of doubles, the entries
// gathered by lane permutations and added in the reference's order (1 bit: ((t0 + t1) + t2) + t3;
// 2 bits: t0 + t1), rounded to float once. 4-bit rows use the AVX2 kernel.
#include <immintrin.h>

// GCC 12's own AVX-512 intrinsics trip -Wmaybe-uninitialized through _mm512_undefined_*() (as in
// lib/scan/fastscan_4bit_avx512.cc); a false positive in the system header.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "lib/codecs/lut4_rows.h"

namespace ipaq {

namespace {

// 2 bits, 2 elements per row: lane l of `terms` = t_{l / 4}[l mod 4]; entry v = t0[v & 3] + t1[v >> 2].
void rows_2bit(size_t nrows, const float* q, const float* books, size_t rows_per_book, float* rows) {
  const __m512i pick0 = _mm512_set_epi64(3, 2, 1, 0, 3, 2, 1, 0);     // t0[v & 3], v = 0..7 and 8..15
  const __m512i pick1_lo = _mm512_set_epi64(5, 5, 5, 5, 4, 4, 4, 4);  // t1[v >> 2], v = 0..7
  const __m512i pick1_hi = _mm512_set_epi64(7, 7, 7, 7, 6, 6, 6, 6);  // t1[v >> 2], v = 8..15
  for (size_t j = 0; j < nrows; ++j) {
    const __m128 w4 = _mm_loadu_ps(books + (rows_per_book == 0 ? 0 : (j / rows_per_book) * 4));
    const __m256 products = _mm256_set_m128(_mm_mul_ps(_mm_set1_ps(q[2 * j + 1]), w4), _mm_mul_ps(_mm_set1_ps(q[2 * j]), w4));
    const __m512d terms = _mm512_cvtps_pd(products);
    const __m512d t0 = _mm512_permutexvar_pd(pick0, terms);
    _mm256_storeu_ps(rows + 16 * j, _mm512_cvtpd_ps(_mm512_add_pd(t0, _mm512_permutexvar_pd(pick1_lo, terms))));
    _mm256_storeu_ps(rows + 16 * j + 8, _mm512_cvtpd_ps(_mm512_add_pd(t0, _mm512_permutexvar_pd(pick1_hi, terms))));
  }
}

}  // namespace

void build_lut4_rows_avx512(int elem_bits, size_t nrows, const float* q, const float* books, size_t rows_per_book,
                            float* rows) {
  if (elem_bits == 2) {
    rows_2bit(nrows, q, books, rows_per_book, rows);
    return;
  }
  if (elem_bits != 1) {
    build_lut4_rows_avx2(elem_bits, nrows, q, books, rows_per_book, rows);
    return;
  }
  // Lane l of `terms` = t_{l mod 4}[l / 4]: element l mod 4 of the row times codeword l / 4.
  const __m512i pick0 = _mm512_set_epi64(4, 0, 4, 0, 4, 0, 4, 0);  // t0[v & 1]
  const __m512i pick1 = _mm512_set_epi64(5, 5, 1, 1, 5, 5, 1, 1);  // t1[(v >> 1) & 1]
  const __m512i pick2 = _mm512_set_epi64(6, 6, 6, 6, 2, 2, 2, 2);  // t2[(v >> 2) & 1]
  const __m512i pick3_0 = _mm512_set1_epi64(3), pick3_1 = _mm512_set1_epi64(7);
  for (size_t j = 0; j < nrows; ++j) {
    const float* w = books + (rows_per_book == 0 ? 0 : (j / rows_per_book) * 2);
    const __m128 q4 = _mm_loadu_ps(q + 4 * j);
    const __m256 products = _mm256_set_m128(_mm_mul_ps(q4, _mm_set1_ps(w[1])), _mm_mul_ps(q4, _mm_set1_ps(w[0])));
    const __m512d terms = _mm512_cvtps_pd(products);
    const __m512d a = _mm512_add_pd(_mm512_add_pd(_mm512_permutexvar_pd(pick0, terms), _mm512_permutexvar_pd(pick1, terms)),
                                    _mm512_permutexvar_pd(pick2, terms));
    _mm256_storeu_ps(rows + 16 * j, _mm512_cvtpd_ps(_mm512_add_pd(a, _mm512_permutexvar_pd(pick3_0, terms))));
    _mm256_storeu_ps(rows + 16 * j + 8, _mm512_cvtpd_ps(_mm512_add_pd(a, _mm512_permutexvar_pd(pick3_1, terms))));
  }
}

}  // namespace ipaq
