#include "lib/asq/stochastic_rounding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "lib/core/random.h"

namespace ipaq::asq {
namespace {

const std::vector<float> kLevels{-1.0f, 0.0f, 0.25f, 2.0f, 5.0f};

// For a value x between levels lo < hi, one rounding is a two-point variable with mean x and variance
// σ² = (hi − x)(x − lo). The mean of N independent roundings has standard deviation σ/√N; we allow 5σ/√N
// (a fixed seed makes the outcome deterministic; 5σ would be exceeded by chance with probability 6e-7).
// The sample variance's own variance is Var[(X − x)²]/N, computed exactly for the two-point law.
TEST(StochasticRounding, UnbiasedWithTheStatedVariance) {
  const size_t n = 200000;
  Rng rng(12345);
  for (float x : {-0.7f, 0.1f, 0.2499f, 1.3f, 4.99f}) {
    std::vector<float> values(n, x), decoded(n);
    std::vector<uint16_t> idx(n);
    round_stochastic(values, kLevels, rng, idx);
    decode_levels(idx, kLevels, decoded);
    const auto up = std::upper_bound(kLevels.begin(), kLevels.end(), x);
    const double hi = *up, lo = *(up - 1), xd = x;
    const double p = (xd - lo) / (hi - lo);
    const double var = (hi - xd) * (xd - lo);
    double sum = 0.0, sq = 0.0;
    for (float v : decoded) {
      ASSERT_TRUE(v == static_cast<float>(lo) || v == static_cast<float>(hi));
      sum += v;
      sq += (v - xd) * (v - xd);
    }
    const double mean = sum / n, sample_var = sq / n;
    EXPECT_NEAR(mean, xd, 5.0 * std::sqrt(var / n)) << "x=" << x;
    const double a = (hi - xd) * (hi - xd), b = (xd - lo) * (xd - lo);
    const double var_of_sq = p * (1 - p) * (a - b) * (a - b);
    EXPECT_NEAR(sample_var, var, 5.0 * std::sqrt(var_of_sq / n) + 1e-12) << "x=" << x;
  }
}

TEST(StochasticRounding, SeededAndReproducible) {
  std::vector<float> values{0.1f, 0.2f, 1.0f, 3.3f, -0.5f};
  std::vector<uint16_t> a(5), b(5);
  Rng r1(7), r2(7);
  round_stochastic(values, kLevels, r1, a);
  round_stochastic(values, kLevels, r2, b);
  EXPECT_EQ(a, b);
}

TEST(StochasticRounding, LevelsAndOutOfRangeAreExact) {
  std::vector<float> values{-3.0f, -1.0f, 0.0f, 0.25f, 2.0f, 5.0f, 9.0f};
  std::vector<uint16_t> idx(values.size());
  Rng rng(1);
  round_stochastic(values, kLevels, rng, idx);
  EXPECT_EQ(idx, (std::vector<uint16_t>{0, 0, 1, 2, 3, 4, 4}));
}

TEST(NearestRounding, PicksTheClosestLevel) {
  std::vector<float> values{-3.0f, -0.6f, -0.4f, 0.1f, 0.2f, 1.2f, 4.0f, 7.0f};
  std::vector<uint16_t> idx(values.size());
  round_nearest(values, kLevels, idx);
  EXPECT_EQ(idx, (std::vector<uint16_t>{0, 0, 1, 1, 2, 3, 4, 4}));
}

}  // namespace
}  // namespace ipaq::asq
