#include "lib/rotation/walsh_hadamard.h"

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

}  // namespace ipaq
