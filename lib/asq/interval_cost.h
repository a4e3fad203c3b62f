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
// Numerics: at d = 2^24 the prefix sums reach ~1e8 while interval costs are tiny, so each prefix sum
// is stored as hi (double) + lo (float, the rounding residue of a double-double running sum, ~77 bits
// together) and differences are formed as (hi_j − hi_k) + (lo_j − lo_k), accurate to ~1 ulp of the
// difference. The remaining cancellation in the formula is ~eps · Σ_{interval} w x², so the total over
// all intervals errs by ~eps · Σ w x², i.e. ~1e-16 / vNMSE relative to the optimal cost.
// Layout: one 48-byte record per point (x and all sums together) so that a lookup touches two cache
// lines, not ten — the solvers' lookups jump around arrays far larger than the caches. Besides,
// ψ_c = Σ_{0<l<=c} w_l (x_c − x_l) in a plain array for the LWS crossover tests, which read a few
// consecutive columns at once (concave_lws.h); records and ψ are padded by kColumnPad copies of the
// last point so that such reads need no bounds check.
// Memory: 56 bytes per point (x is copied). Immutable after construction: concurrent reads are safe.
#pragma once

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

namespace ipaq::asq {

class IntervalCost {
  struct Point {
    double x, alpha_hi, beta_hi, gamma_hi;
    float alpha_lo, beta_lo, gamma_lo, unused;
  };

 public:
  // The per-point records and columns; a caller that solves many small problems can hand them back
  // and forth (release(), then the reusing constructor) so that no fresh pages are faulted in per problem.
  struct Storage {
    std::vector<Point> points;
    std::vector<double> psi;
    size_t capacity_bytes() const { return points.capacity() * sizeof(Point) + psi.capacity() * sizeof(double); }
  };
  // Entries of x_at()/psi() past the last point (copies of it), so that kColumnPad + 1 consecutive
  // columns can be read from any point.
  static constexpr size_t kColumnPad = 3;

  // weights empty = unit weights; else weights.size() == sorted_x.size() (checked by the caller).
  IntervalCost(std::span<const double> sorted_x, std::span<const double> weights)
      : IntervalCost(sorted_x, weights, Storage{}) {}
  // Same, reusing the capacity of `storage`; with_psi = false leaves out the ψ column (8 bytes per point),
  // which only the LWS (concave_lws.h) reads: QUIVER and ZipML do without it.
  IntervalCost(std::span<const double> sorted_x, std::span<const double> weights, Storage&& storage,
               bool with_psi = true);
  // Gives the records back for reuse; the object is empty afterwards.
  Storage release() && { return Storage{std::move(points_), std::move(psi_)}; }

  size_t size() const { return n_; }
  double x(size_t i) const { return points_[i].x; }
  // &x(i) for i < size() + kColumnPad; x(i + k) = x_at(i)[k·kXStride].
  const double* x_at(size_t i) const { return &points_[i].x; }
  static constexpr size_t kXStride = sizeof(Point) / sizeof(double);
  // ψ_c = Σ_{0<l<=c} w_l (x_c − x_l) for c < size() + kColumnPad (a compensated running sum of
  // non-negative terms, rounded once), so Σ_{j<l<c} w_l (x_c − x_l) = (ψ_c − ψ_j) − (x_c − x_j)·α'_j with
  // α'_j = weight_between(0, j).
  const double* psi() const { return psi_.data(); }
  bool has_psi() const { return !psi_.empty(); }
  bool unit_weights() const { return unit_weights_; }

  // C(k, j) for k <= j < size().
  double operator()(size_t k, size_t j) const { return unit_weights_ ? cost<true>(k, j) : cost<false>(k, j); }
  // The same with the weighting known at compile time (kUnitWeights == unit_weights()), for hot loops.
  template <bool kUnitWeights>
  double cost(size_t k, size_t j) const {
    const Point& pk = points_[k];
    const Point& pj = points_[j];
    const double weight = weight_between<kUnitWeights>(k, j);
    const double beta = (pj.beta_hi - pk.beta_hi) + double(pj.beta_lo - pk.beta_lo);
    const double gamma = (pj.gamma_hi - pk.gamma_hi) + double(pj.gamma_lo - pk.gamma_lo);
    return -pj.x * pk.x * weight + (pj.x + pk.x) * beta - gamma;
  }

  // α_j − α_k: total weight of the points k < l <= j.
  double weight_between(size_t k, size_t j) const {
    return unit_weights_ ? weight_between<true>(k, j) : weight_between<false>(k, j);
  }
  template <bool kUnitWeights>
  double weight_between(size_t k, size_t j) const {
    if constexpr (kUnitWeights) {
      return static_cast<double>(j - k);
    } else {
      return (points_[j].alpha_hi - points_[k].alpha_hi) + double(points_[j].alpha_lo - points_[k].alpha_lo);
    }
  }
  // β_j − β_k: Σ_{k<l<=j} w_l x_l.
  double weighted_sum_between(size_t k, size_t j) const {
    return (points_[j].beta_hi - points_[k].beta_hi) + double(points_[j].beta_lo - points_[k].beta_lo);
  }

  // The data index b in [k, j−1] of the best single level placed between fixed levels x_k < x_j
  // (returns k when j <= k + 1 or x_k == x_j). The cost as a function of the middle level q is convex
  // piecewise linear with breakpoints at the data; its slope right of x_b is
  //   (α_b − α_k)(x_j − x_k) − Σ_{k<l<=j} w_l (x_j − x_l),
  // so b is the smallest index with α_b − α_k >= Σ_{k<l<=j} w_l (x_j − x_l) / (x_j − x_k)
  // (closed form for unit weights: b = k + ⌈t⌉; binary search over α otherwise).
  size_t best_middle(size_t k, size_t j) const;

 private:
  std::vector<Point> points_;  // n_ + kColumnPad records
  std::vector<double> psi_;    // n_ + kColumnPad values
  size_t n_;
  bool unit_weights_;
};

}  // namespace ipaq::asq
