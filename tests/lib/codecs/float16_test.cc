// float16 conversions against brute force over every finite half value.
#include "lib/codecs/float16.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "lib/core/random.h"

namespace ipaq {
namespace {

TEST(Float16, EveryHalfRoundTrips) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const float f = half_to_float(static_cast<uint16_t>(h));
    if (std::isnan(f)) continue;
    EXPECT_EQ(float_to_half(f), h) << h;
  }
  EXPECT_EQ(half_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_to_float(0x7bff), 65504.0f);
  EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));
  EXPECT_TRUE(std::isinf(half_to_float(float_to_half(1e6f))));
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(std::nanf("")))));
}

TEST(Float16, NearestEvenAndDirectedRoundingMatchBruteForce) {
  std::vector<float> halves;  // every finite non-negative half value, ascending
  for (uint32_t h = 0; h < 0x7c00; ++h) halves.push_back(half_to_float(static_cast<uint16_t>(h)));
  Rng rng(3);
  for (int t = 0; t < 20000; ++t) {
    // Magnitudes from 2^-26 to 2^15, both signs, plus exact midpoints between neighbours.
    float x = static_cast<float>(std::ldexp(1.0 + rng.uniform(), static_cast<int>(rng.below(41)) - 26));
    if (t % 4 == 0) {
      const size_t k = rng.below(halves.size() - 1);
      x = 0.5f * (halves[k] + halves[k + 1]);
    }
    const float a = std::fabs(x);
    const size_t hi = std::lower_bound(halves.begin(), halves.end(), a) - halves.begin();
    ASSERT_LT(hi, halves.size());
    float nearest = halves[hi];
    if (hi > 0 && halves[hi] != a) {
      const float lo = halves[hi - 1], up = halves[hi];
      const bool lo_even = ((hi - 1) & 1) == 0;
      nearest = (a - lo < up - a || (a - lo == up - a && lo_even)) ? lo : up;
    }
    const float expected = x < 0 ? -nearest : nearest;
    ASSERT_EQ(round_to_half(x), expected) << x;
    const float down = half_round_down(x), up = half_round_up(x);
    ASSERT_LE(down, x);
    ASSERT_GE(up, x);
    ASSERT_TRUE(down == up ? down == x : half_next_up(down) == up) << x;
  }
}

}  // namespace
}  // namespace ipaq
