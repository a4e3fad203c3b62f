// 8-bit LUT scan: float group sums of 256-entry float tables over byte sub-codes (b·p = 8 BlockSphere,
// byte-per-coordinate codes, bit planes of higher rates). Exact float tables on row-major codes, no
// packing: the simple path, and the reference for the packed, quantized and much faster twin
// scan_8bit_quantized (fastscan_8bit.h; 4-7x faster measured, bench/RESULTS.md).
//
// Arrays: codes = n * nsub bytes, row-major (what Codec::extract_sub_codes produces, no repacking);
// lut = nsub * 256 floats, row j = the table of sub-code j (QueryState::lut); group_begin = ngroups + 1
// row boundaries (first 0, last nsub); sums = n * ngroups floats, sums[i * ngroups + g] =
// Σ_{j in group g} lut[j][codes[i * nsub + j]].
//
// Kernels (lib/core/simd_level.h): scalar (sequential sum), AVX2 (8-lane gathers), AVX-512 (16-lane
// gathers). The SIMD kernels add the terms in a different order, so results agree with the scalar
// kernel bit for bit when every partial sum is exactly representable (integer-valued tables with
// |sums| < 2^24, what the tests use), and otherwise within the reassociation bound
//     |simd − scalar| ≤ 2 · γ(nsub_g) · Σ_{j in g} |lut[j][c_j]|,   γ(m) = m·u / (1 − m·u), u = 2^-24.
// Float tables are used as they are: no quantization error.
//
// Errors: a malformed group split throws InvalidArgument; the kernels never throw and read exactly the
// arrays above. Thread-safety: reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ipaq {

void scan_8bit(size_t nsub, const std::vector<size_t>& group_begin, const float* lut, size_t n,
               const uint8_t* codes, float* sums);

}  // namespace ipaq
