#include "lib/asq/stochastic_rounding.h"

#include <algorithm>
#include <cmath>

#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq::asq {
namespace {

void check_levels(std::span<const float> levels) {
  IPAQ_CHECK_ARG(!levels.empty() && levels.size() <= 65536, "asq rounding: ", levels.size(),
                 " levels; expected 1 to 65536");
  check_finite(levels.data(), levels.size(), "asq rounding: levels");
  for (size_t i = 1; i < levels.size(); ++i) {
    IPAQ_CHECK_ARG(levels[i - 1] < levels[i], "asq rounding: levels are not strictly increasing at index ", i);
  }
}

void check_sizes(size_t x_size, size_t idx_size) {
  IPAQ_CHECK_ARG(x_size == idx_size, "asq rounding: ", x_size, " values but ", idx_size, " index slots");
}

// Validates, then idx[i] = 0 / last for values at or beyond the ends, else pick(k, v) with
// levels[k] <= v < levels[k + 1].
template <typename Pick>
void round_each(std::span<const float> x, std::span<const float> levels, std::span<uint16_t> idx,
                const Pick& pick) {
  check_levels(levels);
  check_sizes(x.size(), idx.size());
  check_finite(x.data(), x.size(), "asq rounding: input");
  const size_t last = levels.size() - 1;
  for (size_t i = 0; i < x.size(); ++i) {
    const float v = x[i];
    if (v <= levels.front()) {
      idx[i] = 0;
    } else if (v >= levels.back()) {
      idx[i] = static_cast<uint16_t>(last);
    } else {
      const auto k = static_cast<size_t>(std::upper_bound(levels.begin(), levels.end(), v) - levels.begin()) - 1;
      idx[i] = static_cast<uint16_t>(pick(k, v));
    }
  }
}

}  // namespace

void round_stochastic(std::span<const float> x, std::span<const float> levels, Rng& rng,
                      std::span<uint16_t> idx) {
  round_each(x, levels, idx, [&](size_t k, float v) {
    // P(up) = (x − x↓)/(x↑ − x↓) in double, so E[x̂] = x up to float rounding of the levels.
    const double down = levels[k], up = levels[k + 1];
    const double p_up = (static_cast<double>(v) - down) / (up - down);
    return rng.uniform() < p_up ? k + 1 : k;
  });
}

void round_nearest(std::span<const float> x, std::span<const float> levels, std::span<uint16_t> idx) {
  round_each(x, levels, idx, [&](size_t k, float v) {
    return levels[k + 1] - v < v - levels[k] ? k + 1 : k;  // ties go down
  });
}

void decode_levels(std::span<const uint16_t> idx, std::span<const float> levels, std::span<float> out) {
  IPAQ_CHECK_ARG(idx.size() == out.size(), "asq decode: ", idx.size(), " indexes but ", out.size(),
                 " output slots");
  for (size_t i = 0; i < idx.size(); ++i) {
    IPAQ_CHECK_ARG(idx[i] < levels.size(), "asq decode: index ", idx[i], " at position ", i,
                   " is out of range for ", levels.size(), " levels");
    out[i] = levels[idx[i]];
  }
}

}  // namespace ipaq::asq
