#include "lib/core/error.h"

#include <algorithm>
#include <cmath>

#include "lib/core/checks.h"

namespace ipaq {

void check_finite(const float* x, size_t n, const char* what) {
  // Chunks of 256 screened branch-free (x * 0 is 0 for finite x, NaN for ±inf / NaN, and NaN survives the
  // sum; a loop the compiler vectorizes, unlike one early-exit branch per value: search calls check whole
  // query batches, index issue 4), then the first non-finite value of a failing chunk is named.
  constexpr size_t kChunk = 256;
  for (size_t begin = 0; begin < n; begin += kChunk) {
    const size_t end = std::min(n, begin + kChunk);
    float acc[8] = {};
    size_t i = begin;
    for (; i + 8 <= end; i += 8) {
      for (size_t l = 0; l < 8; ++l) acc[l] += x[i + l] * 0.0f;
    }
    for (; i < end; ++i) acc[0] += x[i] * 0.0f;
    float sum = 0.0f;
    for (float a : acc) sum += a;
    if (sum == 0.0f) continue;
    for (i = begin; i < end; ++i) {
      if (!std::isfinite(x[i])) {
        throw InvalidArgument(format_message(what, ": value ", i, " is not finite (", x[i], ")"));
      }
    }
  }
}

void check_finite(const double* x, size_t n, const char* what) {
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) {
      throw InvalidArgument(format_message(what, ": value ", i, " is not finite (", x[i], ")"));
    }
  }
}

size_t checked_mul(size_t a, size_t b, const char* what) {
  size_t r;
  if (__builtin_mul_overflow(a, b, &r)) {
    throw InvalidArgument(format_message(what, ": size ", a, " * ", b, " overflows"));
  }
  return r;
}

}  // namespace ipaq
