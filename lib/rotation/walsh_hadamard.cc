#include "lib/rotation/walsh_hadamard.h"

#include "lib/core/simd_level.h"

namespace ipaq {

void walsh_hadamard_transform(float* y, size_t n) {
  // Strides 1 and 2 together on groups of 4 (the same additions in the same order as two separate
  // passes, so the same bits; short inner loops do not vectorize and cost most of the time at n = 1024).
  size_t first = 1;
  if (n >= 4) {
    for (size_t start = 0; start < n; start += 4) {
      float* x = y + start;
      const float a0 = x[0] + x[1], a1 = x[0] - x[1], a2 = x[2] + x[3], a3 = x[2] - x[3];
      x[0] = a0 + a2;
      x[1] = a1 + a3;
      x[2] = a0 - a2;
      x[3] = a1 - a3;
    }
    first = 4;
  }
  // Butterflies with stride h; the inner loop over a contiguous run of h elements vectorizes.
  for (size_t h = first; h < n; h *= 2) {
    for (size_t start = 0; start < n; start += 2 * h) {
      float* a = y + start;
      float* b = a + h;
      for (size_t i = 0; i < h; ++i) {
        const float u = a[i];
        const float v = b[i];
        a[i] = u + v;
        b[i] = u - v;
      }
    }
  }
}

void randomized_hadamard(const float* x, size_t d, size_t n, const float* signs, int rounds, float scale,
                         float* y) {
  if (n >= 128 && simd_level() >= SimdLevel::kAvx512) {
    detail::randomized_hadamard_avx512(x, d, n, signs, rounds, scale, y);
  } else if (n >= 8 && simd_level() >= SimdLevel::kAvx2) {
    detail::randomized_hadamard_avx2(x, d, n, signs, rounds, scale, y);
  } else {
    detail::randomized_hadamard_portable(x, d, n, signs, rounds, scale, y);
  }
}

namespace detail {

void randomized_hadamard_portable(const float* x, size_t d, size_t n, const float* signs, int rounds,
                                  float scale, float* y) {
  for (size_t i = 0; i < d; ++i) y[i] = x[i];
  for (size_t i = d; i < n; ++i) y[i] = 0.0f;
  for (int k = 0; k < rounds; ++k) {
    const float* s = signs + static_cast<size_t>(k) * n;
    for (size_t i = 0; i < n; ++i) y[i] *= s[i];
    walsh_hadamard_transform(y, n);
  }
  for (size_t i = 0; i < n; ++i) y[i] *= scale;
}

}  // namespace detail

}  // namespace ipaq
