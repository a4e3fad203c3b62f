// Nearest-level lookup in a sorted scalar codebook (ties go to the lower level). O(log s).
// levels: s >= 1 floats sorted ascending (caller's invariant). Pure, thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace ipaq {

inline uint16_t nearest_level_index(const float* levels, size_t s, float x) {
  const size_t hi = static_cast<size_t>(std::lower_bound(levels, levels + s, x) - levels);
  if (hi == 0) return 0;
  if (hi == s) return static_cast<uint16_t>(s - 1);
  return static_cast<uint16_t>(x - levels[hi - 1] <= levels[hi] - x ? hi - 1 : hi);
}

}  // namespace ipaq
