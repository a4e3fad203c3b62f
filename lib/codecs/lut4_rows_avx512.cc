// AVX-512 kernel of build_lut4_rows for 1-bit elements (lib/codecs/lut4_rows.h): the 8 element terms of a
// row (float products, as the reference) widened to one register of doubles, the entries v < 8 as
// ((t0 + t1) + t2) by lane permutations, then + t3[0] and + t3[1] for the two halves — the reference's
// additions in its order — and rounded to float once. 2- and 4-bit rows use the AVX2 kernel.
#include <immintrin.h>

// GCC 12's own AVX-512 intrinsics trip -Wmaybe-uninitialized through _mm512_undefined_*() (as in
// lib/scan/fastscan_4bit_avx512.cc); a false positive in the system header.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "lib/codecs/lut4_rows.h"

namespace ipaq {

void build_lut4_rows_avx512(int elem_bits, size_t nrows, const float* q, const float* books, size_t rows_per_book,
                            float* rows) {
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
