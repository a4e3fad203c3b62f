#include "lib/core/simd_level.h"

#include <gtest/gtest.h>

#include "lib/core/error.h"

namespace ipaq {
namespace {

TEST(SimdLevel, ParseAndName) {
  for (SimdLevel l : {SimdLevel::kScalar, SimdLevel::kAvx2, SimdLevel::kAvx512}) {
    EXPECT_EQ(parse_simd_level(simd_level_name(l)), l);
  }
  EXPECT_THROW(parse_simd_level("sse9"), InvalidArgument);
}

TEST(SimdLevel, NeverAboveCpu) {
  EXPECT_LE(static_cast<int>(simd_level()), static_cast<int>(cpu_simd_level()));
}

TEST(SimdLevel, OverrideForTesting) {
  const SimdLevel cpu = cpu_simd_level();
  set_simd_level_for_testing(SimdLevel::kScalar);
  EXPECT_EQ(simd_level(), SimdLevel::kScalar);
  set_simd_level_for_testing(cpu);
  EXPECT_EQ(simd_level(), cpu);
}

}  // namespace
}  // namespace ipaq
