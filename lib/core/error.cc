#include "lib/core/error.h"

#include <cmath>

#include "lib/core/checks.h"

namespace ipaq {

void check_finite(const float* x, size_t n, const char* what) {
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) {
      throw InvalidArgument(format_message(what, ": value ", i, " is not finite (", x[i], ")"));
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
