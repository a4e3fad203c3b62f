#include "lib/scan/lut_sums.h"

#include <algorithm>

#include "lib/core/simd_level.h"

namespace ipaq {

void lut_sums_scalar(size_t m, size_t nsub, size_t width, const uint8_t* sub, const float* lut,
                     const size_t* group_begin, size_t groups, float* sums) {
  // kLanes vectors at a time: independent add chains (the loop is latency-bound otherwise), each vector's
  // sum still in sub-code order.
  constexpr size_t kLanes = 8;
  for (size_t i0 = 0; i0 < m; i0 += kLanes) {
    const size_t lanes = std::min(kLanes, m - i0);
    const uint8_t* s = sub + i0 * nsub;
    for (size_t g = 0; g < groups; ++g) {
      float acc[kLanes] = {};
      for (size_t j = group_begin[g]; j < group_begin[g + 1]; ++j) {
        const float* row = lut + j * width;
        for (size_t l = 0; l < lanes; ++l) acc[l] += row[s[l * nsub + j]];
      }
      for (size_t l = 0; l < lanes; ++l) sums[(i0 + l) * groups + g] = acc[l];
    }
  }
}

void lut_sums(size_t m, size_t nsub, size_t width, const uint8_t* sub, const float* lut, const size_t* group_begin,
              size_t groups, float* sums) {
  if (width == 16 && nsub % 4 == 0 && simd_level() >= SimdLevel::kAvx512) {
    lut_sums_avx512(m, nsub, sub, lut, group_begin, groups, sums);
  } else {
    lut_sums_scalar(m, nsub, width, sub, lut, group_begin, groups, sums);
  }
}

void lut_sums_packed4_scalar(const FastScanLayout& layout, const uint8_t* packed, size_t first, size_t m,
                             const float* lut, float* sums) {
  constexpr size_t kBlock = FastScanLayout::kBlockSize;
  const std::vector<size_t>& group_begin = layout.group_begin();
  const std::vector<size_t>& pair_begin = layout.pair_begin();
  const size_t groups = layout.ngroups();
  for (size_t i = 0; i < m; ++i) {
    const size_t v = first + i;
    const uint8_t* lane = packed + (v / kBlock) * layout.block_bytes() + v % kBlock;  // pair p at lane[32 p]
    for (size_t g = 0; g < groups; ++g) {
      float acc = 0.0f;
      for (size_t p = pair_begin[g]; p < pair_begin[g + 1]; ++p) {
        const size_t lo = group_begin[g] + 2 * (p - pair_begin[g]);
        const uint8_t byte = lane[p * kBlock];
        acc += lut[lo * 16 + (byte & 0x0F)];
        if (lo + 1 < group_begin[g + 1]) acc += lut[(lo + 1) * 16 + (byte >> 4)];
      }
      sums[i * groups + g] = acc;
    }
  }
}

void lut_sums_packed4(const FastScanLayout& layout, const uint8_t* packed, size_t first, size_t m, const float* lut,
                      float* sums) {
  if (simd_level() >= SimdLevel::kAvx512) {
    lut_sums_packed4_avx512(layout, packed, first, m, lut, sums);
  } else {
    lut_sums_packed4_scalar(layout, packed, first, m, lut, sums);
  }
}

}  // namespace ipaq
