#include "lib/scan/fastscan_8bit.h"

#include <algorithm>

#include "lib/core/error.h"
#include "lib/core/simd_level.h"
#include "lib/scan/fastscan_8bit_kernels.h"

namespace ipaq {

FastScan8Lut make_fastscan8_lut(const FastScan8Layout& layout, const QuantizedLut& quantized) {
  check_quantized_lut(quantized, 8, layout.nsub(), layout.group_begin(), "make_fastscan8_lut");
  FastScan8Lut lut;
  lut.nsub = layout.nsub();
  lut.group_begin = layout.group_begin();
  lut.tables.assign(quantized.table.begin(), quantized.table.end());
  return lut;
}

void scan_8bit_quantized(const FastScan8Layout& layout, const FastScan8Lut& lut, size_t n, const uint8_t* packed,
                         uint32_t* sums) {
  IPAQ_CHECK_ARG(lut.nsub == layout.nsub() && lut.group_begin == layout.group_begin(),
                 "scan_8bit_quantized: the FastScan8Lut was made for another layout");
  if (n == 0) return;
  const scan_detail::Scan8bitPackedArgs args{packed, n, layout.nsub(), layout.group_begin().data(),
                                             layout.ngroups(), lut.tables.data(), sums};
  switch (simd_level()) {
    case SimdLevel::kAvx512: scan_detail::scan_8bit_packed_avx512(args); return;
    // No AVX2 kernel: AVX2 has no 256-entry byte lookup, and 8-lane gathers measured no faster than
    // the scalar loop (bench/scan BM_Scan8bitQuantized: 2.9 vs 2.8 GiB/s at nsub = 64).
    case SimdLevel::kAvx2:
    case SimdLevel::kScalar: scan_detail::scan_8bit_packed_scalar(args); return;
  }
}

}  // namespace ipaq
