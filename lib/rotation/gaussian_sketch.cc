#include "lib/rotation/gaussian_sketch.h"

#include <cmath>

#include "lib/core/error.h"
#include "lib/core/random.h"
#include "lib/core/simd_level.h"

namespace ipaq {

GaussianSketch::GaussianSketch(size_t D, uint64_t seed) : Rotation(D, D, seed) {
  IPAQ_CHECK_ARG(D > 0 && D <= kMaxDim, "GaussianSketch: dimension ", D, " out of [1, ", kMaxDim,
                 "] (a dense D × D matrix; use a Hadamard sketch for larger D)");
  s_.resize(D * D);
  Rng rng(seed);
  for (float& v : s_) v = static_cast<float>(rng.normal());
}

void GaussianSketch::apply_block(size_t m, const float* x, float* y) const {
  const size_t D = rotated_dim();
  if (simd_level() >= SimdLevel::kAvx2) {
    detail::gaussian_sketch_rows_avx2(s_.data(), D, D, x, m, y);
  } else {
    detail::gaussian_sketch_rows_portable(s_.data(), D, D, x, m, y);
  }
}

void GaussianSketch::apply_transpose(const float* y, float* x) const {
  const size_t D = rotated_dim();
  std::vector<double> acc(D, 0.0);
  for (size_t i = 0; i < D; ++i) {
    const float* row = s_.data() + i * D;
    const double yi = y[i];
    for (size_t j = 0; j < D; ++j) acc[j] += yi * row[j];
  }
  for (size_t j = 0; j < D; ++j) x[j] = static_cast<float>(acc[j]);
}

namespace detail {

void gaussian_sketch_rows_portable(const float* S, size_t rows, size_t D, const float* x, size_t m, float* y) {
  const size_t D8 = D & ~size_t{7};
  for (size_t v = 0; v < m; ++v) {
    const float* xv = x + v * D;
    for (size_t i = 0; i < rows; ++i) {
      const float* s = S + i * D;
      float a[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      for (size_t j = 0; j < D8; j += 8)
        for (int l = 0; l < 8; ++l) a[l] = std::fma(s[j + l], xv[j + l], a[l]);
      float sum = ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
      float tail = 0.0f;
      for (size_t j = D8; j < D; ++j) tail = std::fma(s[j], xv[j], tail);
      y[v * rows + i] = sum + tail;
    }
  }
}

}  // namespace detail

}  // namespace ipaq
