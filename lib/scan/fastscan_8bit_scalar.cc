// Scalar reference kernel of scan_8bit_quantized: the obvious loop over blocks, sub-codes and vectors.
#include "lib/scan/fastscan_8bit_kernels.h"

namespace ipaq::scan_detail {

void scan_8bit_packed_scalar(const Scan8bitPackedArgs& a) {
  constexpr size_t kBlock = 64;
  const size_t nblocks = (a.n + kBlock - 1) / kBlock;
  for (size_t b = 0; b < nblocks; ++b) {
    const uint8_t* block = a.packed + b * a.nsub * kBlock;
    const size_t valid = a.n - b * kBlock < kBlock ? a.n - b * kBlock : kBlock;
    for (size_t g = 0; g < a.ngroups; ++g) {
      uint32_t acc[kBlock] = {};
      for (size_t s = a.group_begin[g]; s < a.group_begin[g + 1]; ++s) {
        const uint8_t* codes = block + s * kBlock;
        const uint8_t* row = a.tables + s * 256;
        for (size_t i = 0; i < kBlock; ++i) acc[i] += row[codes[i]];
      }
      for (size_t i = 0; i < valid; ++i) a.sums[(b * kBlock + i) * a.ngroups + g] = acc[i];
    }
  }
}

}  // namespace ipaq::scan_detail
