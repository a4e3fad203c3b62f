// Lloyd–Max codebooks against the published N(0,1) values and the sphere-law limit.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "lib/codecs/lloyd_max.h"
#include "lib/core/error.h"

namespace ipaq {
namespace {

TEST(LloydMax, GaussianMatchesKnownCodebooks) {
  // Classical Lloyd–Max values for N(0,1) (Max 1960): b=1 ±sqrt(2/π); b=2 ±0.4528, ±1.5104;
  // b=3 ±0.2451, ±0.7560, ±1.3439, ±2.1520. The published values have 4 decimals.
  EXPECT_NEAR(lloyd_max_gaussian(1)[1], std::sqrt(2 / std::numbers::pi), 1e-6);
  const auto l2 = lloyd_max_gaussian(2);
  EXPECT_NEAR(l2[2], 0.4528, 1e-4);
  EXPECT_NEAR(l2[3], 1.5104, 1e-4);
  const auto l3 = lloyd_max_gaussian(3);
  const double expected3[4] = {0.2451, 0.7560, 1.3439, 2.1520};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(l3[4 + i], expected3[i], 1e-4);
  // MSE D_b: 0.3634, 0.1175, 0.03454, 0.009497 (b = 1..4).
  const double mse[4] = {0.3634, 0.1175, 0.03454, 0.009497};
  for (int b = 1; b <= 4; ++b) EXPECT_NEAR(gaussian_quantization_mse(lloyd_max_gaussian(b)), mse[b - 1], 1e-3 * mse[b - 1] + 1e-4);
  const auto l8 = lloyd_max_gaussian(8);
  ASSERT_EQ(l8.size(), 256u);
  for (size_t i = 1; i < l8.size(); ++i) EXPECT_LT(l8[i - 1], l8[i]);
  // High-resolution theory: D_b ≈ (sqrt(3)π/2)·4^-b = 2.72·4^-b; at b = 8 within 5 %.
  EXPECT_NEAR(gaussian_quantization_mse(l8), 2.7207 / 65536.0, 0.05 * 2.7207 / 65536.0);
}

TEST(LloydMax, SphereLawTendsToScaledGaussian) {
  // For large D a sphere coordinate is ≈ N(0, 1/D): levels·sqrt(D) → Gaussian levels, O(1/D) apart.
  const auto gauss = lloyd_max_gaussian(2);
  const auto sphere = lloyd_max_sphere_coordinate(2, 4096);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(sphere[i] * 64.0, gauss[i], 2e-3);
  // For small D the law is lighter-tailed (bounded by 1): the outer level shrinks relative to N(0,1/D).
  const auto small = lloyd_max_sphere_coordinate(2, 8);
  EXPECT_LT(small[3] * std::sqrt(8.0), gauss[3]);
  EXPECT_LE(small[3], 1.0);
}

TEST(LloydMax, RejectsBadBits) {
  EXPECT_THROW(lloyd_max_gaussian(0), InvalidArgument);
  EXPECT_THROW(lloyd_max_gaussian(9), InvalidArgument);
}

}  // namespace
}  // namespace ipaq
