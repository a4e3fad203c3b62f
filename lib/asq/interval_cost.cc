#include "lib/asq/interval_cost.h"

#include <algorithm>
#include <cmath>

namespace ipaq::asq {
namespace {

// Double-double running sum: hi + lo carries ~106 bits (Knuth's TwoSum, then renormalisation).
struct DoubleDouble {
  double hi = 0.0, lo = 0.0;
  void add(double v) {
    const double s = hi + v;
    const double bv = s - hi;
    const double err = (hi - (s - bv)) + (v - bv);
    const double l = lo + err;
    hi = s + l;
    lo = l - (hi - s);
  }
};

}  // namespace

IntervalCost::IntervalCost(std::span<const double> sorted_x, std::span<const double> weights,
                           Storage&& storage)
    : points_(std::move(storage)), unit_weights_(weights.empty()) {
  points_.resize(sorted_x.size());
  DoubleDouble alpha, beta, gamma;
  for (size_t i = 0; i < sorted_x.size(); ++i) {
    const double x = sorted_x[i], w = unit_weights_ ? 1.0 : weights[i];
    alpha.add(w);
    beta.add(w * x);
    gamma.add(w * x * x);
    points_[i] = Point{x,
                       alpha.hi,
                       beta.hi,
                       gamma.hi,
                       static_cast<float>(alpha.lo),
                       static_cast<float>(beta.lo),
                       static_cast<float>(gamma.lo),
                       0.0f};
  }
}

size_t IntervalCost::best_middle(size_t k, size_t j) const {
  if (j <= k + 1 || !(x(j) > x(k))) return k;
  const double xj = x(j);
  // Σ_{k<l<=j} w_l (x_j − x_l) >= 0, written in interval-local differences to limit cancellation.
  const double pull = std::max(0.0, xj * weight_between(k, j) - weighted_sum_between(k, j));
  const double threshold = pull / (xj - x(k));  // required α_b − α_k
  size_t b;
  if (unit_weights()) {
    const double t = std::ceil(threshold);  // α_b − α_k = b − k
    b = t <= 0.0 ? k : k + static_cast<size_t>(std::min(t, static_cast<double>(j - k)));
  } else {
    size_t lo = k, hi = j - 1;  // smallest b in [k, j−1] with weight_between(k, b) >= threshold
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (weight_between(k, mid) >= threshold) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    b = lo;
  }
  return std::min(b, j - 1);
}

}  // namespace ipaq::asq
