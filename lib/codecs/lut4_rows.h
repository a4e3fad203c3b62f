// 4-bit LUT rows of scalar-codeword elements, SIMD (issue 4: per-query cost of prepare_query).
//
// The LUT form of a rotation codec (lib/codecs/rotated_codec.h) whose elements are single coordinates
// (elem_dim = 1) coded with elem_bits ∈ {1, 2, 4} bits, g = 4 / elem_bits elements per 4-bit sub-code.
// Row j (sub-code j, 16 entries) of the domain query q:
//     row[v] = float( Σ_{t = 0..g−1} (double) float(q[g·j + t] · w_j[c_t(v)]) ),   c_t(v) = (v >> t·elem_bits) & (2^elem_bits − 1)
// the sum taken in double in element order t = 0, 1, ... and rounded to float once, w_j = the codebook
// (2^elem_bits floats) of row j: books + (rows_per_book == 0 ? 0 : j / rows_per_book) · 2^elem_bits.
// This is exactly what RotatedCodec's reference LUT builder computes (float(q·w) equals the double
// product rounded to float, since the double product of two floats is exact), so the SIMD kernels return
// the same values as the reference (tested at every IPAQ_SIMD level; ±0 may differ in sign only).
// AVX-512 builds 1- and 2-bit rows with 8-lane double permutations (the same additions, same order).
//
// Arrays: q has g · nrows floats, books the codebooks, rows 16 · nrows floats (written). No checks: the
// caller (RotatedCodec::build_lut) owns the sizes. Thread-safe (pure).
#pragma once

#include <cstddef>

namespace ipaq {

// True if build_lut4_rows_simd has a kernel at the current simd_level() (AVX2 and above).
bool lut4_rows_simd_available();

// The kernel of the current simd_level(); call only when lut4_rows_simd_available().
void build_lut4_rows_simd(int elem_bits, size_t nrows, const float* q, const float* books, size_t rows_per_book,
                          float* rows);

// The AVX2 kernel (lib/codecs/lut4_rows_avx2.cc) and the AVX-512 one (lib/codecs/lut4_rows_avx512.cc: its
// own 1- and 2-bit rows, the AVX2 kernel for 4 bits).
void build_lut4_rows_avx2(int elem_bits, size_t nrows, const float* q, const float* books, size_t rows_per_book,
                          float* rows);
void build_lut4_rows_avx512(int elem_bits, size_t nrows, const float* q, const float* books, size_t rows_per_book,
                            float* rows);

// The scalar twin of the kernel, written from the formula above (tests compare the two).
void build_lut4_rows_scalar(int elem_bits, size_t nrows, const float* q, const float* books, size_t rows_per_book,
                            float* rows);

}  // namespace ipaq
