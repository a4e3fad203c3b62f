// Bit packing and Lloyd–Max codebooks: exact expectations.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "lib/codecs/bit_packing.h"
#include "lib/codecs/lloyd_max.h"
#include "lib/codecs/scalar_levels.h"
#include "lib/core/error.h"
#include "lib/core/random.h"

namespace ipaq {
namespace {

TEST(BitPacking, RoundTripsEveryWidth) {
  Rng rng(3);
  for (int width = 1; width <= 16; ++width) {
    for (size_t n : {1, 7, 8, 33, 100}) {
      std::vector<uint16_t> values(n), back(n);
      for (auto& v : values) v = static_cast<uint16_t>(rng.below(uint64_t{1} << width));
      std::vector<uint8_t> bytes(packed_bytes(n, width) + 1, 0xAB);  // sentinel after the packed bytes
      pack_fields(values.data(), n, width, bytes.data());
      EXPECT_EQ(bytes.back(), 0xAB) << "pack wrote past packed_bytes()";
      unpack_fields(bytes.data(), n, width, back.data());
      EXPECT_EQ(values, back) << "width " << width << " n " << n;
    }
  }
}

TEST(BitPacking, LsbFirstLayout) {
  // Fields 1, 2, 3 of width 3 -> bits 001 010 011 LSB-first = 0b011'010'001 = 0xD1, 0x00.
  const uint16_t values[3] = {1, 2, 3};
  uint8_t bytes[2];
  pack_fields(values, 3, 3, bytes);
  EXPECT_EQ(bytes[0], 0xD1);
  EXPECT_EQ(bytes[1], 0x00);
  EXPECT_EQ(read_bit_field(bytes, 3, 6), 2u | (3u << 3));  // a 6-bit sub-code of two 3-bit fields
}

TEST(BitPacking, MasksOversizedValues) {
  const uint16_t values[2] = {0xFF, 0};
  uint8_t bytes[1];
  pack_fields(values, 2, 4, bytes);
  EXPECT_EQ(bytes[0], 0x0F);
}

TEST(ScalarLevels, NearestLevel) {
  const ScalarLevels levels({-1.5f, -0.5f, 0.5f, 1.5f});
  EXPECT_EQ(levels.nearest(-9.0f), 0);
  EXPECT_EQ(levels.nearest(-0.9f), 1);
  EXPECT_EQ(levels.nearest(0.0f), 1);  // tie -> lower
  EXPECT_EQ(levels.nearest(1.01f), 3);
  EXPECT_EQ(levels.nearest(9.0f), 3);
  EXPECT_THROW(ScalarLevels({1.0f, 0.0f}), InvalidArgument);
}

TEST(ScalarLevels, BinarySearchPathMatchesBruteForce) {
  std::vector<float> sorted(256);
  for (int i = 0; i < 256; ++i) sorted[i] = -2.0f + 0.015f * i + 0.00001f * i * i;
  const ScalarLevels levels(sorted);
  Rng rng(9);
  for (int t = 0; t < 2000; ++t) {
    const float x = static_cast<float>(rng.uniform() * 6 - 3);
    size_t best = 0;
    for (size_t i = 1; i < sorted.size(); ++i)
      if (std::fabs(sorted[i] - x) < std::fabs(sorted[best] - x)) best = i;
    EXPECT_FLOAT_EQ(std::fabs(sorted[levels.nearest(x)] - x), std::fabs(sorted[best] - x)) << x;
  }
}

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
