// Nearest-level lookup in a sorted scalar codebook (ties go to the lower level).
//
// ScalarLevels keeps the levels and the midpoints between neighbours; nearest(x) counts the midpoints
// strictly below x: a branch-free linear pass for <= 16 levels (vectorizes), binary search above.
// levels: s >= 1 floats sorted ascending (checked). Immutable after construction; thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/core/error.h"

namespace ipaq {

class ScalarLevels {
 public:
  ScalarLevels() = default;
  explicit ScalarLevels(std::vector<float> levels) : levels_(std::move(levels)) {
    IPAQ_CHECK_ARG(!levels_.empty(), "ScalarLevels: empty level set");
    for (size_t i = 1; i < levels_.size(); ++i) {
      IPAQ_CHECK_ARG(levels_[i - 1] <= levels_[i], "ScalarLevels: levels not sorted at ", i);
      midpoints_.push_back(0.5f * (levels_[i - 1] + levels_[i]));
    }
  }
  uint16_t nearest(float x) const {
    if (midpoints_.size() <= 15) {
      uint16_t idx = 0;
      for (float m : midpoints_) idx += x > m;
      return idx;
    }
    // First midpoint >= x: the number of midpoints strictly below x.
    return static_cast<uint16_t>(std::lower_bound(midpoints_.begin(), midpoints_.end(), x) - midpoints_.begin());
  }
  float level(uint16_t idx) const { return levels_[idx]; }
  const std::vector<float>& levels() const { return levels_; }

 private:
  std::vector<float> levels_;
  std::vector<float> midpoints_;
};

}  // namespace ipaq
