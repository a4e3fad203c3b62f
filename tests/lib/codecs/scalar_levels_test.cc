// Nearest-level lookup: exact cases and the binary-search path against brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "lib/codecs/scalar_levels.h"
#include "lib/core/error.h"
#include "lib/core/random.h"
#include "tests/lib/scan/simd_levels.h"

namespace ipaq {
namespace {

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

TEST(ScalarLevels, GridPathEqualsLowerBoundIncludingTiesAndDuplicates) {
  // The grid lookup must count exactly the midpoints strictly below x (= std::lower_bound), also for x
  // on a midpoint, outside the range, and with duplicate levels (zero-width intervals) and dense clusters.
  Rng rng(10);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<float> sorted(17 + rng.below(240));
    for (float& v : sorted) v = static_cast<float>(rng.normal() * (trial % 2 ? 1.0 : 1e-3));
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 1; i < sorted.size(); i += 7) sorted[i] = sorted[i - 1];  // duplicates
    const ScalarLevels levels(sorted);
    std::vector<float> midpoints;
    for (size_t i = 1; i < sorted.size(); ++i) midpoints.push_back(0.5f * (sorted[i - 1] + sorted[i]));
    std::vector<float> probes = midpoints;  // exact ties
    for (int t = 0; t < 500; ++t) probes.push_back(static_cast<float>(rng.normal() * (trial % 2 ? 1.5 : 1.5e-3)));
    probes.push_back(-1e30f);
    probes.push_back(1e30f);
    for (float x : probes) {
      const size_t expected = std::lower_bound(midpoints.begin(), midpoints.end(), x) - midpoints.begin();
      ASSERT_EQ(levels.nearest(x), expected) << "trial " << trial << " x " << x;
    }
  }
}

}  // namespace
}  // namespace ipaq

namespace ipaq {
namespace {

// nearest_n (AVX2 kernel on whole blocks of 16, loop per midpoint otherwise) equals nearest() per value
// at every SIMD level, incl. values exactly on midpoints and levels (ties go low), duplicate levels,
// out-of-range values and lengths that are not multiples of 16.
TEST(ScalarLevels, NearestNEqualsNearestAtEverySimdLevel) {
  Rng rng(31);
  const std::vector<std::vector<float>> sets = {
      {0.5f}, {-0.5f, 0.5f}, {-1.5f, -0.5f, 0.5f, 1.5f}, {-1.0f, 0.0f, 0.0f, 2.0f}, {}};
  for (std::vector<float> levels : sets) {
    if (levels.empty())  // 16 Lloyd–Max-like levels (15 midpoints, the largest small set)
      for (int i = 0; i < 16; ++i) levels.push_back(0.1f * (i - 7.5f) * (1.0f + 0.02f * i));
    const ScalarLevels sl(levels);
    std::vector<float> probes;
    for (size_t i = 0; i + 1 < levels.size(); ++i) {
      probes.push_back(0.5f * (levels[i] + levels[i + 1]));  // exact midpoint: tie
      probes.push_back(levels[i]);
      probes.push_back(std::nextafter(probes[probes.size() - 2], 10.0f));
    }
    probes.push_back(-1e30f);
    probes.push_back(1e30f);
    while (probes.size() < 83) probes.push_back(static_cast<float>(rng.normal()));
    for (size_t n : {probes.size(), size_t{16}, size_t{15}, size_t{1}}) {
      std::vector<uint16_t> want(n);
      for (size_t i = 0; i < n; ++i) want[i] = sl.nearest(probes[i]);
      ipaq::testing::for_each_simd_level([&](SimdLevel) {
        std::vector<uint16_t> got(n, 999);
        sl.nearest_n(probes.data(), n, got.data());
        EXPECT_EQ(got, want) << levels.size() << " levels, n = " << n;
      });
    }
  }
}

}  // namespace
}  // namespace ipaq
