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

void prefix_sums(std::span<const double> values_per_point, std::vector<double>& hi, std::vector<double>& lo) {
  hi.resize(values_per_point.size());
  lo.resize(values_per_point.size());
  DoubleDouble acc;
  for (size_t i = 0; i < values_per_point.size(); ++i) {
    acc.add(values_per_point[i]);
    hi[i] = acc.hi;
    lo[i] = acc.lo;
  }
}

}  // namespace

IntervalCost::IntervalCost(std::span<const double> sorted_x, std::span<const double> weights)
    : x_(sorted_x) {
  const size_t n = sorted_x.size();
  const bool unit = weights.empty();
  // Built one array at a time through a scratch buffer to keep the peak at one extra array.
  std::vector<double> term(n);
  if (!unit) prefix_sums(weights, alpha_hi_, alpha_lo_);
  for (size_t i = 0; i < n; ++i) term[i] = (unit ? 1.0 : weights[i]) * sorted_x[i];
  prefix_sums(term, beta_hi_, beta_lo_);
  for (size_t i = 0; i < n; ++i) term[i] *= sorted_x[i];
  prefix_sums(term, gamma_hi_, gamma_lo_);
}

size_t IntervalCost::best_middle(size_t k, size_t j) const {
  if (j <= k + 1 || !(x_[j] > x_[k])) return k;
  const double xj = x_[j];
  // Σ_{k<l<=j} w_l (x_j − x_l) >= 0, written in interval-local differences to limit cancellation.
  const double pull = std::max(0.0, xj * weight_between(k, j) - weighted_sum_between(k, j));
  const double threshold = pull / (xj - x_[k]);  // required α_b − α_k
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
