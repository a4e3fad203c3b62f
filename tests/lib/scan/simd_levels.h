// Test helper: runs a body once per SIMD level the CPU supports, restoring the level in force before (which
// IPAQ_SIMD may have lowered) after.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "lib/core/simd_level.h"

namespace ipaq::testing {

inline std::vector<SimdLevel> supported_simd_levels() {
  std::vector<SimdLevel> levels;
  for (int l = 0; l <= static_cast<int>(cpu_simd_level()); ++l) levels.push_back(static_cast<SimdLevel>(l));
  return levels;
}

// for_each_simd_level([&](SimdLevel level) { ... }): the body runs with simd_level() == level.
template <typename Body>
void for_each_simd_level(Body&& body) {
  const SimdLevel before = simd_level();
  for (SimdLevel level : supported_simd_levels()) {
    SCOPED_TRACE(simd_level_name(level));
    set_simd_level_for_testing(level);
    body(level);
  }
  set_simd_level_for_testing(before);
}

}  // namespace ipaq::testing
