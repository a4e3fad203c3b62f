// Scalar reference kernel of scan_4bit: the obvious loop over blocks, pairs and vectors.
#include "lib/scan/fastscan_4bit_kernels.h"

namespace ipaq::scan_detail {

void scan_4bit_scalar(const Scan4bitArgs& a) {
  constexpr size_t kBlock = 32;
  const size_t nblocks = (a.n + kBlock - 1) / kBlock;
  for (size_t b = 0; b < nblocks; ++b) {
    const uint8_t* block = a.packed + b * a.npairs * kBlock;
    const size_t valid = a.n - b * kBlock < kBlock ? a.n - b * kBlock : kBlock;
    for (size_t g = 0; g < a.ngroups; ++g) {
      uint32_t acc[kBlock] = {};
      for (size_t p = a.pair_begin[g]; p < a.pair_begin[g + 1]; ++p) {
        const uint8_t* codes = block + p * kBlock;
        const uint8_t* lo = a.lo_tables + p * kBlock;  // first copy of the row (lane 0)
        const uint8_t* hi = a.hi_tables + p * kBlock;
        for (size_t i = 0; i < kBlock; ++i) acc[i] += lo[codes[i] & 0x0F] + hi[codes[i] >> 4];
      }
      for (size_t i = 0; i < valid; ++i) a.sums[(b * kBlock + i) * a.ngroups + g] = acc[i];
    }
  }
}

}  // namespace ipaq::scan_detail
