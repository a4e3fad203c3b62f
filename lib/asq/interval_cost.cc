#include "lib/asq/interval_cost.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace ipaq::asq {
namespace {

// Running sum carried as an unrenormalised pair: hi is the plain floating-point sum and lo collects the
// exact rounding error of every addition (Knuth's TwoSum), so each step depends on the previous one only
// through two additions (latency 4 cycles each; renormalising hi + lo every step chained ~24 cycles per
// point and dominated the construction). value() renormalises, giving the same ~106-bit sum: lo's own
// rounding is ~eps·|lo| <= n·eps²·|hi|.
struct RunningSum {
  double hi = 0.0, lo = 0.0;
  void add(double v) {
    const double s = hi + v;
    const double bv = s - hi;
    lo += (hi - (s - bv)) + (v - bv);
    hi = s;
  }
  // (sum, residue) with |residue| <= ulp(sum)/2.
  std::pair<double, double> value() const {
    const double sum = hi + lo;
    return {sum, lo - (sum - hi)};
  }
};

}  // namespace

IntervalCost::IntervalCost(std::span<const double> sorted_x, std::span<const double> weights,
                           Storage&& storage)
    : points_(std::move(storage.points)),
      psi_(std::move(storage.psi)),
      n_(sorted_x.size()),
      unit_weights_(weights.empty()) {
  points_.resize(n_ + kColumnPad);
  psi_.resize(n_ + kColumnPad);
  RunningSum alpha, beta, gamma, psi;
  const double w0 = n_ == 0 || unit_weights_ ? 1.0 : weights[0];
  for (size_t i = 0; i < n_; ++i) {
    const double x = sorted_x[i], w = unit_weights_ ? 1.0 : weights[i];
    // ψ_i = ψ_{i−1} + (weight of points 1..i−1)·(x_i − x_{i−1}): non-negative terms.
    if (i > 0) psi.add(((alpha.hi - w0) + alpha.lo) * (x - sorted_x[i - 1]));
    alpha.add(w);
    beta.add(w * x);
    gamma.add(w * x * x);
    const auto [a_hi, a_lo] = alpha.value();
    const auto [b_hi, b_lo] = beta.value();
    const auto [g_hi, g_lo] = gamma.value();
    points_[i] = Point{x,
                       a_hi,
                       b_hi,
                       g_hi,
                       static_cast<float>(a_lo),
                       static_cast<float>(b_lo),
                       static_cast<float>(g_lo),
                       0.0f};
    psi_[i] = psi.hi + psi.lo;
  }
  for (size_t i = n_; i < n_ + kColumnPad && n_ > 0; ++i) {
    points_[i] = points_[n_ - 1];
    psi_[i] = psi_[n_ - 1];
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
