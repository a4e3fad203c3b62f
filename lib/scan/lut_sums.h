// Float LUT sums over sub-codes: what the IVF index's L2 terms (||r||^2 + 2 est<c, r>, the centroid c
// prepared as a query) are made of, for every entry of a list at add, sync_packed and reopen.
//
// m vectors whose sub-codes are row-major in sub (vector i's sub-code j at sub[i * nsub + j], each < width),
// lut: nsub rows of width floats (row j: sub-code j's table), groups = group_begin.size() - 1 with group g
// = sub-codes [group_begin[g], group_begin[g + 1]). Output sums[i * groups + g] = the sum over the group's
// sub-codes of lut[j * width + sub[i * nsub + j]], added in sub-code order starting from 0.0f (each sum's
// bits depend on nothing else: not on m, not on where a run of vectors starts).
// lut_sums dispatches once per call (lib/core/simd_level.h): AVX-512 for width 16 and nsub % 4 == 0 (16
// vectors at a time, each lane's adds in the same order as the scalar loop: bit-identical, tested), else
// the scalar loop.
//
// lut_sums_packed4: the same sums for 4-bit sub-codes read from a FastScanLayout-packed array instead of
// row-major bytes: vectors [first, first + m) of `packed` (layout.packed_bytes(first + m) bytes or more;
// the blocks they lie in are read whole, lanes outside the range ignored), lut: layout.nsub() rows of 16
// floats, groups = layout.ngroups(), sums[(i - first) * groups + g]. Bit-identical to lut_sums_scalar on the
// unpacked sub-codes (each vector's adds in sub-code order from 0.0f; tested). The packed layout is already
// sub-code-major, so the AVX-512 kernel needs no gather: per pair row, one 16-byte load gives 16 vectors'
// two sub-codes, one vpermps each. Dispatch: AVX-512 when simd_level() has it, else the scalar loop.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lib/scan/fastscan_layout.h"

namespace ipaq {

void lut_sums(size_t m, size_t nsub, size_t width, const uint8_t* sub, const float* lut, const size_t* group_begin,
              size_t groups, float* sums);
void lut_sums_scalar(size_t m, size_t nsub, size_t width, const uint8_t* sub, const float* lut,
                     const size_t* group_begin, size_t groups, float* sums);
// Preconditions (lut_sums checks them): width == 16, nsub % 4 == 0, AVX-512F available.
void lut_sums_avx512(size_t m, size_t nsub, const uint8_t* sub, const float* lut, const size_t* group_begin,
                     size_t groups, float* sums);

void lut_sums_packed4(const FastScanLayout& layout, const uint8_t* packed, size_t first, size_t m, const float* lut,
                      float* sums);
void lut_sums_packed4_scalar(const FastScanLayout& layout, const uint8_t* packed, size_t first, size_t m,
                             const float* lut, float* sums);
// Precondition: AVX-512F available.
void lut_sums_packed4_avx512(const FastScanLayout& layout, const uint8_t* packed, size_t first, size_t m,
                             const float* lut, float* sums);

}  // namespace ipaq
