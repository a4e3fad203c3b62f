#include "lib/core/random.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ipaq {
namespace {

TEST(Rng, Deterministic) {
  Rng a(7), b(7), c(8);
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    (void)c;
  }
  EXPECT_NE(Rng(7).next_u64(), Rng(8).next_u64());
}

// Mean and variance of N(0,1) samples: with n = 200000 the standard error of the mean is 1/sqrt(n)
// = 0.00224 and of the variance sqrt(2/n) = 0.00316; 5 sigma bounds.
TEST(Rng, NormalMoments) {
  Rng r(42);
  const int n = 200000;
  double s = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    double x = r.normal();
    s += x;
    s2 += x * x;
  }
  double mean = s / n, var = s2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, 5 * std::sqrt(1.0 / n));
  EXPECT_NEAR(var, 1.0, 5 * std::sqrt(2.0 / n));
}

TEST(Rng, UniformRange) {
  Rng r(1);
  for (int i = 0; i < 10000; ++i) {
    double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_LT(r.below(10), 10u);
  }
}

}  // namespace
}  // namespace ipaq
