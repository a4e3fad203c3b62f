// Per-ISA kernels of quantize_lut_into for 16-entry rows (lib/scan/lut_quantizer.h), internal to lib/scan.
// Each returns exactly what the portable code of lut_quantizer.cc returns (min and max are exact; the
// entry level (row[c] − lo) · inv + 1/2 is one float subtraction, one multiplication and one addition,
// never contracted into an FMA; the bias is the double sum of the row minima in row order), so every
// IPAQ_SIMD level gives the same tables, scales and biases (tested).
#pragma once

#include <cstddef>
#include <cstdint>

namespace ipaq::lut_detail {

// Rows [0, nrows) of 16 floats: lo[j] = min of row j, *bias += lo[j] (in double, j ascending); returns
// the largest max − min over the rows (0 for nrows = 0).
float row_minima16_avx2(const float* lut, size_t nrows, float* lo, double* bias);
float row_minima16_avx512(const float* lut, size_t nrows, float* lo, double* bias);

// out[16 j + c] = (uint8) min(max((lut[16 j + c] − lo[j]) · inv + 1/2, 0), 255), truncated.
void quantize_rows16_avx2(const float* lut, size_t nrows, const float* lo, float inv, uint8_t* out);
void quantize_rows16_avx512(const float* lut, size_t nrows, const float* lo, float inv, uint8_t* out);

}  // namespace ipaq::lut_detail
