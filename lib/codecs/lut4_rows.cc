#include "lib/codecs/lut4_rows.h"

#include "lib/core/simd_level.h"

namespace ipaq {

bool lut4_rows_simd_available() { return simd_level() >= SimdLevel::kAvx2; }

void build_lut4_rows_simd(int elem_bits, size_t nrows, const float* q, const float* books, size_t rows_per_book,
                          float* rows) {
  if (simd_level() >= SimdLevel::kAvx512) {
    build_lut4_rows_avx512(elem_bits, nrows, q, books, rows_per_book, rows);
  } else {
    build_lut4_rows_avx2(elem_bits, nrows, q, books, rows_per_book, rows);
  }
}

void build_lut4_rows_scalar(int elem_bits, size_t nrows, const float* q, const float* books, size_t rows_per_book,
                            float* rows) {
  const size_t g = 4 / static_cast<size_t>(elem_bits);
  const unsigned mask = (1u << elem_bits) - 1;
  for (size_t j = 0; j < nrows; ++j) {
    const float* w = books + (rows_per_book == 0 ? 0 : j / rows_per_book) * (mask + 1);
    for (unsigned v = 0; v < 16; ++v) {
      double sum = 0.0;
      for (size_t t = 0; t < g; ++t) {
        const float term = q[g * j + t] * w[(v >> (t * elem_bits)) & mask];
        sum = t == 0 ? static_cast<double>(term) : sum + term;
      }
      rows[16 * j + v] = static_cast<float>(sum);
    }
  }
}

}  // namespace ipaq
