// 4-bit fast-scan: integer group sums of 16-entry uint8 LUTs over codes packed by fastscan_layout.h.
//
// Per query:  QuantizedLut q = quantize_lut(float_lut, nsub, 4, group_begin);      (lut_quantizer.h)
//             FastScanLut t = make_fastscan_lut(layout, q);
//             scan_4bit(layout, t, n, packed, sums);      // n * ngroups uint32, exact integer sums
//             q.dequantize(n, sums, float_sums);          // ≈ float group sums, within q.error_bound(g)
// The same FastScanLut serves any number of scan_4bit calls (e.g. one per IVF list), concurrently.
//
// Result: sums[i * ngroups + g] = Σ_{s in group g} q.table[s][sub-code s of vector i], exactly (the
// integer sum is at most 255 · nsub_g, exact in uint32 for nsub_g < 2^24). Every SIMD level returns the
// same bits as the scalar kernel.
//
// Kernels (chosen by lib/core/simd_level.h, forced lower by IPAQ_SIMD): scalar; AVX2 (vpshufb on 32
// vectors per 32-byte pair); AVX-512 (vpshufb on two pairs per 64-byte load). The SIMD kernels
// accumulate in uint16 lanes split into even/odd vectors and widen to uint32 before any lane has
// received more than 256 terms (256 · 255 < 2^16 keeps every uint16 partial sum exact), so there is no
// limit on nsub beyond the uint32 one above. Long codes (tables > 8 KiB) are scanned several blocks per
// table load. Measured (bench/scan, 256 MiB of 64-byte-aligned codes, AVX-512): 58-90 % of the
// bandwidth of a plain streaming read of the same bytes (bench/RESULTS.md).
//
// Arrays: packed = layout.packed_bytes(n) bytes starting at a block boundary (to scan vectors
// [32b, 32b + n) of a larger array pass packed + b · layout.block_bytes()); the kernels read exactly the
// blocks covering n vectors and write exactly n * ngroups sums; vectors of the padding are never
// reported.
//
// Errors: make_fastscan_lut throws InvalidArgument if the QuantizedLut is not a 4-bit LUT of the
// layout's nsub and groups; scan_4bit throws InvalidArgument if the FastScanLut was made for another
// layout (pair boundaries differ). The kernels themselves never throw. Thread-safety: all functions are reentrant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/scan/fastscan_layout.h"
#include "lib/scan/lut_quantizer.h"

namespace ipaq {

// A QuantizedLut rearranged for the fast-scan kernels (kernel-ready, layout-specific):
// lo_tables[32p .. 32p+32) = the 16 entries of padded sub-code 2p, twice (one copy per 128-bit lane);
// hi_tables likewise for padded sub-code 2p+1. Padded rows are zero.
struct FastScanLut {
  size_t npairs = 0;
  std::vector<size_t> pair_begin;  // copied from the layout (ngroups + 1)
  std::vector<uint8_t> lo_tables;  // npairs * 32
  std::vector<uint8_t> hi_tables;  // npairs * 32
};

FastScanLut make_fastscan_lut(const FastScanLayout& layout, const QuantizedLut& quantized);
// The same into an existing FastScanLut, reusing its buffers.
void make_fastscan_lut_into(const FastScanLayout& layout, const QuantizedLut& quantized, FastScanLut& lut);

// sums: n * layout.ngroups() uint32, see the contract above. Throws InvalidArgument if `lut` was made
// for another layout (different pairs or groups).
void scan_4bit(const FastScanLayout& layout, const FastScanLut& lut, size_t n, const uint8_t* packed,
               uint32_t* sums);

}  // namespace ipaq
