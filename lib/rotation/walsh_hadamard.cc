#include "lib/rotation/walsh_hadamard.h"

namespace ipaq {

void walsh_hadamard_transform(float* y, size_t n) {
  // Butterflies with stride h; the inner loop over a contiguous run of h elements vectorizes.
  for (size_t h = 1; h < n; h *= 2) {
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
