// 8-bit fast-scan: integer group sums of 256-entry uint8 LUTs over byte sub-codes packed by
// fastscan_8bit_layout.h (codecs with lut_bits() == 8: 3-bit ASQ/TurboQuant elements, BlockSphere
// b·p = 8). The quantized twin of scan_8bit (lut_scan_8bit.h, float tables, row-major codes).
//
// Per query:  QuantizedLut q = quantize_lut(float_lut, nsub, 8, group_begin);      (lut_quantizer.h)
//             FastScan8Lut t = make_fastscan8_lut(layout, q);
//             scan_8bit_quantized(layout, t, n, packed, sums);  // n * ngroups uint32, exact
//             q.dequantize(n, sums, float_sums);                // within q.error_bound(g) of float sums
//
// Result: sums[i * ngroups + g] = Σ_{s in group g} q.table[s][sub-code s of vector i] exactly (at most
// 255 · nsub_g, exact in uint32 for nsub_g < 2^24). Every SIMD level returns the same bits.
//
// Kernels (lib/core/simd_level.h): scalar (also used at the AVX2 level: AVX2 has no 256-entry byte
// lookup and 8-lane gathers measured no faster); AVX-512 (VBMI: two vpermi2b over the table's
// 128-entry halves and a blend on bit 7 look up 64 vectors at once; uint16 even/odd accumulation
// widened to uint32 at least every 256 sub-codes, since 256 · 255 < 2^16). Measured (bench/scan):
// AVX-512 about 3x the scalar kernel and 4-7x the float-LUT gather scan_8bit (bench/RESULTS.md).
//
// Arrays: packed = layout.packed_bytes(n) bytes from a block boundary (to scan vectors [64b, 64b + n)
// pass packed + b · layout.block_bytes()); exactly n * ngroups sums are written.
//
// Errors: make_fastscan8_lut throws InvalidArgument unless the QuantizedLut is 8-bit with the layout's
// nsub and groups; scan_8bit_quantized throws InvalidArgument for a FastScan8Lut of another layout.
// The kernels never throw. Thread-safety: reentrant; a FastScan8Lut may be shared by threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/scan/aligned_allocator.h"
#include "lib/scan/fastscan_8bit_layout.h"
#include "lib/scan/lut_quantizer.h"

namespace ipaq {

// Kernel-ready tables: row s (256 bytes) at tables[256 s], 64-byte aligned.
struct FastScan8Lut {
  size_t nsub = 0;
  std::vector<size_t> group_begin;
  AlignedBytes tables;  // nsub * 256
};

FastScan8Lut make_fastscan8_lut(const FastScan8Layout& layout, const QuantizedLut& quantized);

// sums: n * layout.ngroups() uint32, see the contract above.
void scan_8bit_quantized(const FastScan8Layout& layout, const FastScan8Lut& lut, size_t n, const uint8_t* packed,
                         uint32_t* sums);

}  // namespace ipaq
