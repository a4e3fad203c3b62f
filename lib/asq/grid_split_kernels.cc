#include "lib/asq/grid_split_kernels.h"

#include "lib/core/simd_level.h"

namespace ipaq::asq::grid_split {

const UniformGridKernels& uniform_grid_kernels() {
  static constexpr UniformGridKernels kSse2{min_max_sse2, split_uniform_sse2, compact_uniform_sse2},
      kAvx2{min_max_sse2, split_uniform_avx2, compact_uniform_sse2},
      kAvx512{min_max_avx512, split_uniform_avx512, compact_uniform_avx512};
  switch (simd_level()) {
    case SimdLevel::kAvx512: return kAvx512;
    case SimdLevel::kAvx2: return kAvx2;
    case SimdLevel::kScalar: break;
  }
  return kSse2;
}

namespace detail {

bool finish_min_max(const double* x, size_t from, size_t n, double low, double high, bool nan, double* low_out,
                    double* high_out) {
  for (size_t i = from; i < n; ++i) {
    low = x[i] < low ? x[i] : low;
    high = x[i] > high ? x[i] : high;
    nan |= !(x[i] == x[i]);
  }
  *low_out = low + 0.0;  // −0 + 0 = +0 (round to nearest)
  *high_out = high + 0.0;
  return nan;
}

}  // namespace detail

}  // namespace ipaq::asq::grid_split
