#include "lib/scan/exact_distance.h"

#include "lib/core/simd_level.h"

namespace ipaq {

ExactDistanceFn exact_distance_fn(bool l2) {
  switch (simd_level()) {
    case SimdLevel::kAvx512: return l2 ? exact_detail::l2sqr_avx512 : exact_detail::inner_product_avx512;
    case SimdLevel::kAvx2: return l2 ? exact_detail::l2sqr_avx2 : exact_detail::inner_product_avx2;
    case SimdLevel::kScalar: break;
  }
  return l2 ? exact_detail::l2sqr_scalar : exact_detail::inner_product_scalar;
}

namespace exact_detail {

namespace {
// Four interleaved float sums, as the SIMD levels keep four accumulators.
template <bool kL2>
float sum4(const float* a, const float* b, size_t d) {
  float s[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  size_t i = 0;
  for (; i + 4 <= d; i += 4) {
    for (size_t l = 0; l < 4; ++l) {
      const float t = kL2 ? a[i + l] - b[i + l] : a[i + l];
      s[l] += kL2 ? t * t : t * b[i + l];
    }
  }
  for (; i < d; ++i) {
    const float t = kL2 ? a[i] - b[i] : a[i];
    s[0] += kL2 ? t * t : t * b[i];
  }
  return (s[0] + s[1]) + (s[2] + s[3]);
}
}  // namespace

float inner_product_scalar(const float* a, const float* b, size_t d) { return sum4<false>(a, b, d); }
float l2sqr_scalar(const float* a, const float* b, size_t d) { return sum4<true>(a, b, d); }

}  // namespace exact_detail

}  // namespace ipaq
