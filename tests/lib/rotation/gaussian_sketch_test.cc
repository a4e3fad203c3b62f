// GaussianSketch: the dense N(0,1) QJL sketch. Kernels agree bitwise across SIMD levels and batch
// compositions, match a double-precision reference, the transpose is the adjoint, and the matrix is
// regenerated from the seed on deserialization.
#include "lib/rotation/gaussian_sketch.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "lib/core/error.h"
#include "lib/core/random.h"
#include "lib/core/simd_level.h"

namespace ipaq {
namespace {

std::vector<float> gaussian_rows(size_t n, size_t D, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> x(n * D);
  for (float& v : x) v = static_cast<float>(rng.normal());
  return x;
}

TEST(GaussianSketch, KernelsAgreeBitwiseAndMatchDoubleReference) {
  for (size_t D : {1, 7, 8, 100, 128, 1024}) {
    GaussianSketch sketch(D, 42 + D);
    const size_t m = 7;  // not a multiple of the kernel's vector block (3)
    const auto x = gaussian_rows(m, D, 5);
    std::vector<float> portable(m * D), block(m * D), single(D);
    detail::gaussian_sketch_rows_portable(sketch.matrix(), D, D, x.data(), m, portable.data());
    sketch.apply_block(m, x.data(), block.data());
    if (cpu_simd_level() >= SimdLevel::kAvx2) {
      std::vector<float> avx2(m * D);
      detail::gaussian_sketch_rows_avx2(sketch.matrix(), D, D, x.data(), m, avx2.data());
      ASSERT_EQ(avx2, portable) << "D=" << D;
    }
    ASSERT_EQ(block, portable) << "D=" << D;
    for (size_t v = 0; v < m; ++v) {
      sketch.apply(x.data() + v * D, single.data());
      ASSERT_EQ(std::vector<float>(single), std::vector<float>(block.begin() + v * D, block.begin() + (v + 1) * D));
      for (size_t i = 0; i < D; ++i) {
        double ref = 0, scale = 0;
        for (size_t j = 0; j < D; ++j) {
          ref += static_cast<double>(sketch.matrix()[i * D + j]) * x[v * D + j];
          scale += std::fabs(static_cast<double>(sketch.matrix()[i * D + j]) * x[v * D + j]);
        }
        ASSERT_NEAR(block[v * D + i], ref, 1e-6 * scale + 1e-30) << D << " " << v << " " << i;
      }
    }
  }
}

TEST(GaussianSketch, EntriesAreStandardNormalAndTransposeIsAdjoint) {
  const size_t D = 256;
  GaussianSketch sketch(D, 3);
  double sum = 0, sum_sq = 0;
  for (size_t k = 0; k < D * D; ++k) {
    sum += sketch.matrix()[k];
    sum_sq += static_cast<double>(sketch.matrix()[k]) * sketch.matrix()[k];
  }
  const double n = static_cast<double>(D * D);
  EXPECT_NEAR(sum / n, 0.0, 4.0 / std::sqrt(n));                 // SE of the mean = 1/sqrt(n)
  EXPECT_NEAR(sum_sq / n, 1.0, 4.0 * std::sqrt(2.0 / n));        // SE of the variance = sqrt(2/n)
  const auto x = gaussian_rows(1, D, 8), y = gaussian_rows(1, D, 9);
  std::vector<float> sx(D), sty(D);
  sketch.apply(x.data(), sx.data());
  sketch.apply_transpose(y.data(), sty.data());
  double a = 0, b = 0;
  for (size_t i = 0; i < D; ++i) {
    a += static_cast<double>(sx[i]) * y[i];
    b += static_cast<double>(x[i]) * sty[i];
  }
  EXPECT_NEAR(a, b, 1e-4 * std::sqrt(static_cast<double>(D)) * D);
}

TEST(GaussianSketch, SerializationRegeneratesFromSeedAndBadInput) {
  GaussianSketch sketch(64, 11);
  ByteWriter w;
  sketch.serialize(w);
  EXPECT_LT(w.str().size(), 64u);  // the seed, not the matrix
  ByteReader r(w.str(), "sketch");
  auto back = deserialize_rotation(r);
  ASSERT_EQ(back->kind(), RotationKind::kGaussianSketch);
  const auto* restored = dynamic_cast<const GaussianSketch*>(back.get());
  ASSERT_NE(restored, nullptr);
  EXPECT_EQ(std::vector<float>(restored->matrix(), restored->matrix() + 64 * 64),
            std::vector<float>(sketch.matrix(), sketch.matrix() + 64 * 64));
  EXPECT_THROW(GaussianSketch(0, 1), InvalidArgument);
  EXPECT_THROW(GaussianSketch(GaussianSketch::kMaxDim + 1, 1), InvalidArgument);
  EXPECT_STREQ(rotation_kind_name(RotationKind::kGaussianSketch), "gaussian");
}

}  // namespace
}  // namespace ipaq
