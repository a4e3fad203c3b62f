// IntervalCost: O(1) cost of one quantization interval of sorted data, from prefix sums.
//
// For sorted x_0 <= ... <= x_{n-1} with weights w_l >= 0 (unit weights if none are given), and
// levels placed at x_k and x_j (k <= j), the interval cost is
//   C(k, j) = Σ_{k<l<j} w_l (x_j − x_l)(x_l − x_k)
//           = −x_j x_k (α_j − α_k) + (x_j + x_k)(β_j − β_k) − (γ_j − γ_k)
// with inclusive prefix sums α_i = Σ_{l≤i} w_l, β_i = Σ w_l x_l, γ_i = Σ w_l x_l² (the term l = j is
// zero, so inclusive sums at j are fine). C satisfies the quadrangle (Monge) inequality
// C(a,c) + C(b,d) <= C(a,d) + C(b,c) for a <= b <= c <= d, which every fast solver relies on.
//
// Numerics: at d = 2^24 the prefix sums reach ~1e8 while interval costs are tiny, so the prefix sums
// are stored as double-double (hi + lo, error ~1e-32 relative) and differences are formed as
// (hi_j − hi_k) + (lo_j − lo_k), accurate to ~1 ulp of the difference. The remaining cancellation in
// the formula is ~eps · Σ_{interval} w x², so the total over all intervals errs by ~eps · Σ w x²,
// i.e. ~1e-16 / vNMSE relative to the optimal cost. Unit weights store no α (α_i = i + 1, exact).
// Memory: 32 bytes per point (48 with weights). Borrows x; the caller keeps it alive. Immutable
// after construction, so concurrent reads are thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace ipaq::asq {

class IntervalCost {
 public:
  // weights empty = unit weights; else weights.size() == sorted_x.size() (checked by the caller).
  IntervalCost(std::span<const double> sorted_x, std::span<const double> weights);

  size_t size() const { return x_.size(); }
  double x(size_t i) const { return x_[i]; }
  bool unit_weights() const { return alpha_hi_.empty(); }

  // C(k, j) for k <= j < size().
  double operator()(size_t k, size_t j) const {
    const double xk = x_[k], xj = x_[j];
    return -xj * xk * weight_between(k, j) + (xj + xk) * diff(beta_hi_, beta_lo_, k, j) -
           diff(gamma_hi_, gamma_lo_, k, j);
  }

  // α_j − α_k: total weight of the points k < l <= j.
  double weight_between(size_t k, size_t j) const {
    return unit_weights() ? static_cast<double>(j - k) : diff(alpha_hi_, alpha_lo_, k, j);
  }
  // β_j − β_k: Σ_{k<l<=j} w_l x_l.
  double weighted_sum_between(size_t k, size_t j) const { return diff(beta_hi_, beta_lo_, k, j); }

  // The data index b in [k, j−1] of the best single level placed between fixed levels x_k < x_j
  // (returns k when j <= k + 1 or x_k == x_j). The cost as a function of the middle level q is convex
  // piecewise linear with breakpoints at the data; its slope right of x_b is
  //   (α_b − α_k)(x_j − x_k) − Σ_{k<l<=j} w_l (x_j − x_l),
  // so b is the smallest index with α_b − α_k >= Σ_{k<l<=j} w_l (x_j − x_l) / (x_j − x_k)
  // (closed form for unit weights: b = k + ⌈t⌉; binary search over α otherwise).
  size_t best_middle(size_t k, size_t j) const;

 private:
  static double diff(const std::vector<double>& hi, const std::vector<double>& lo, size_t k, size_t j) {
    return (hi[j] - hi[k]) + (lo[j] - lo[k]);
  }

  std::span<const double> x_;
  std::vector<double> alpha_hi_, alpha_lo_;  // empty for unit weights
  std::vector<double> beta_hi_, beta_lo_;
  std::vector<double> gamma_hi_, gamma_lo_;
};

}  // namespace ipaq::asq
