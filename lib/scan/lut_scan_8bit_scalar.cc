// Scalar reference kernel of scan_8bit: sequential sums, sub-code by sub-code.
#include "lib/scan/lut_scan_8bit_kernels.h"

namespace ipaq::scan_detail {

void scan_8bit_scalar(const Scan8bitArgs& a) {
  for (size_t i = 0; i < a.n; ++i) {
    const uint8_t* code = a.codes + i * a.nsub;
    for (size_t g = 0; g < a.ngroups; ++g) {
      float sum = 0.0f;
      for (size_t j = a.group_begin[g]; j < a.group_begin[g + 1]; ++j) sum += a.lut[j * 256 + code[j]];
      a.sums[i * a.ngroups + g] = sum;
    }
  }
}

}  // namespace ipaq::scan_detail
