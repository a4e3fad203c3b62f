#include "lib/scan/lut_scan_8bit.h"

#include "lib/core/simd_level.h"
#include "lib/scan/lut_quantizer.h"
#include "lib/scan/lut_scan_8bit_kernels.h"

namespace ipaq {

void scan_8bit(size_t nsub, const std::vector<size_t>& group_begin, const float* lut, size_t n,
               const uint8_t* codes, float* sums) {
  check_group_begin(group_begin, nsub);
  if (n == 0) return;
  const scan_detail::Scan8bitArgs args{codes, n, nsub, lut, group_begin.data(), group_begin.size() - 1, sums};
  switch (simd_level()) {
    case SimdLevel::kAvx512: scan_detail::scan_8bit_avx512(args); return;
    case SimdLevel::kAvx2: scan_detail::scan_8bit_avx2(args); return;
    case SimdLevel::kScalar: scan_detail::scan_8bit_scalar(args); return;
  }
}

}  // namespace ipaq
