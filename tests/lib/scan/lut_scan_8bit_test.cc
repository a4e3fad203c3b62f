#include "lib/scan/lut_scan_8bit.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "lib/core/error.h"
#include "lib/core/random.h"
#include "tests/lib/scan/simd_levels.h"

namespace ipaq {
namespace {

using testing::for_each_simd_level;

struct Data {
  std::vector<float> lut;
  std::vector<uint8_t> codes;
};

Data random_data(size_t n, size_t nsub, uint64_t seed, bool integer_valued) {
  Rng rng(seed);
  Data d{std::vector<float>(nsub * 256), std::vector<uint8_t>(n * nsub)};
  for (auto& v : d.lut) {
    v = integer_valued ? static_cast<float>(static_cast<int>(rng.below(2001)) - 1000)
                       : static_cast<float>(rng.normal());
  }
  for (auto& c : d.codes) c = static_cast<uint8_t>(rng.below(256));
  return d;
}

std::vector<double> reference_sums(const Data& d, size_t n, size_t nsub, const std::vector<size_t>& groups) {
  const size_t ng = groups.size() - 1;
  std::vector<double> sums(n * ng, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t g = 0; g < ng; ++g) {
      for (size_t j = groups[g]; j < groups[g + 1]; ++j) sums[i * ng + g] += d.lut[j * 256 + d.codes[i * nsub + j]];
    }
  }
  return sums;
}

TEST(LutScan8bit, IntegerDataExactAtEveryLevel) {
  // |entries| ≤ 1000 and nsub ≤ 300: every partial sum < 3e5 < 2^24, so every order is exact.
  const std::vector<std::vector<size_t>> splits = {{0, 1}, {0, 7}, {0, 15}, {0, 16}, {0, 17},
                                                   {0, 5, 5, 40}, {0, 100, 300}};
  uint64_t seed = 1;
  for (const auto& groups : splits) {
    const size_t nsub = groups.back();
    for (size_t n : {1, 33}) {
      SCOPED_TRACE(::testing::Message() << "n=" << n << " nsub=" << nsub);
      const Data d = random_data(n, nsub, seed++, true);
      const auto ref = reference_sums(d, n, nsub, groups);
      for_each_simd_level([&](SimdLevel) {
        std::vector<float> got(n * (groups.size() - 1) + 1, -12345.0f);
        scan_8bit(nsub, groups, d.lut.data(), n, d.codes.data(), got.data());
        EXPECT_EQ(got.back(), -12345.0f);  // nothing written past n * ngroups
        for (size_t i = 0; i + 1 < got.size(); ++i) EXPECT_EQ(got[i], ref[i]) << i;
      });
    }
  }
}

TEST(LutScan8bit, FloatDataWithinReassociationBound) {
  const size_t n = 20, nsub = 200;
  const std::vector<size_t> groups = {0, nsub};
  const Data d = random_data(n, nsub, 77, false);
  const auto ref = reference_sums(d, n, nsub, groups);
  for_each_simd_level([&](SimdLevel) {
    std::vector<float> got(n);
    scan_8bit(nsub, groups, d.lut.data(), n, d.codes.data(), got.data());
    for (size_t i = 0; i < n; ++i) {
      double magnitude = 0.0;
      for (size_t j = 0; j < nsub; ++j) magnitude += std::fabs(d.lut[j * 256 + d.codes[i * nsub + j]]);
      // Each float order is within γ(nsub)·Σ|terms| of the exact sum (the header's bound, per side),
      // plus half an ulp for rounding the double reference itself.
      const double u = std::ldexp(1.0, -24), gamma = nsub * u / (1 - nsub * u);
      EXPECT_NEAR(got[i], ref[i], gamma * magnitude + u * std::fabs(ref[i])) << i;
    }
  });
}

TEST(LutScan8bit, RejectsBadGroups) {
  std::vector<float> lut(256);
  uint8_t code = 0;
  float sum;
  EXPECT_THROW(scan_8bit(1, {0, 2}, lut.data(), 1, &code, &sum), InvalidArgument);
}

}  // namespace
}  // namespace ipaq
