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

}  // namespace ipaq::asq::grid_split
