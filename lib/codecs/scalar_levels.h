// Nearest-level lookup in a sorted scalar codebook (ties go to the lower level).
//
// ScalarLevels keeps the levels and the midpoints between neighbours; nearest(x) counts the midpoints
// strictly below x: a branch-free linear pass for <= 16 levels (vectorizes); above, a uniform grid of
// 4 cells per midpoint over [first, last midpoint] gives a lower bound on the count (cell_count_[c] =
// midpoints whose own cell is < c, all of them < x since the cell index is monotone in the value), then a
// short linear advance makes it exact — the same result as a binary search (tested), without its
// unpredictable branches (TQ8 and friends: 256 levels).
// levels: s >= 1 floats sorted ascending (checked). Immutable after construction; thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/core/error.h"
#include "lib/core/simd_level.h"

namespace ipaq {

namespace detail {
// out[i] = #{j : x[i] > mid[j]} for the first 16·floor(n/16) values (returned); n_mid < 65536.
// AVX2 kernel (lib/codecs/scalar_levels_avx2.cc), called only when simd_level() >= avx2.
size_t count_above_avx2(const float* mid, size_t n_mid, const float* x, size_t n, uint16_t* out);
}  // namespace detail

class ScalarLevels {
 public:
  ScalarLevels() = default;
  explicit ScalarLevels(std::vector<float> levels) : levels_(std::move(levels)) {
    IPAQ_CHECK_ARG(!levels_.empty(), "ScalarLevels: empty level set");
    for (size_t i = 1; i < levels_.size(); ++i) {
      IPAQ_CHECK_ARG(levels_[i - 1] <= levels_[i], "ScalarLevels: levels not sorted at ", i);
      midpoints_.push_back(0.5f * (levels_[i - 1] + levels_[i]));
    }
    if (midpoints_.size() > 15 && midpoints_.back() > midpoints_.front()) {
      const size_t cells = 4 * midpoints_.size();
      grid_lo_ = midpoints_.front();
      grid_scale_ = static_cast<float>(cells) / (midpoints_.back() - midpoints_.front());
      cell_count_.assign(cells, 0);
      for (float m : midpoints_)
        if (cell(m) + 1 < cells) ++cell_count_[cell(m) + 1];
      for (size_t c = 1; c < cells; ++c) cell_count_[c] += cell_count_[c - 1];
    }
  }
  uint16_t nearest(float x) const {
    if (midpoints_.size() <= 15) {
      uint16_t idx = 0;
      for (float m : midpoints_) idx += x > m;
      return idx;
    }
    if (cell_count_.empty())  // degenerate (all midpoints equal): first midpoint >= x
      return static_cast<uint16_t>(std::lower_bound(midpoints_.begin(), midpoints_.end(), x) - midpoints_.begin());
    size_t idx = cell_count_[cell(x)];
    while (idx < midpoints_.size() && midpoints_[idx] < x) ++idx;
    return static_cast<uint16_t>(idx);
  }
  // out[i] = nearest(x[i]) for i < n. For <= 16 levels: the same comparisons and counts as nearest(),
  // by an AVX2 kernel (whole blocks of 16 values) when simd_level() allows, else by a loop over the
  // values per midpoint (vectorizes); identical results at every level.
  void nearest_n(const float* x, size_t n, uint16_t* out) const {
    if (midpoints_.size() > 15) {
      for (size_t i = 0; i < n; ++i) out[i] = nearest(x[i]);
      return;
    }
    size_t done = 0;
    if (simd_level() >= SimdLevel::kAvx2) done = detail::count_above_avx2(midpoints_.data(), midpoints_.size(), x, n, out);
    for (size_t i = done; i < n; ++i) out[i] = 0;
    for (float m : midpoints_)
      for (size_t i = done; i < n; ++i) out[i] = static_cast<uint16_t>(out[i] + (x[i] > m));
  }
  float level(uint16_t idx) const { return levels_[idx]; }
  const std::vector<float>& levels() const { return levels_; }

 private:
  // Grid cell of v, clamped to [0, cells): non-decreasing in v.
  size_t cell(float v) const {
    const float f = (v - grid_lo_) * grid_scale_;
    if (!(f > 0.0f)) return 0;
    const size_t c = static_cast<size_t>(std::min(f, static_cast<float>(cell_count_.size() - 1)));
    return c;
  }
  std::vector<float> levels_;
  std::vector<float> midpoints_;
  float grid_lo_ = 0.0f, grid_scale_ = 0.0f;
  std::vector<uint32_t> cell_count_;  // midpoints whose cell is below each cell
};

}  // namespace ipaq
