#include "lib/asq/interval_cost.h"

#include <emmintrin.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace ipaq::asq {
namespace {

// Two running sums in the lanes of SSE2 registers (the x86-64 baseline), each carried as an
// unrenormalised pair: hi is the plain floating-point sum and lo collects the exact rounding error of
// every addition (Knuth's TwoSum), so each step depends on the previous one only through two additions
// (renormalising hi + lo every step chained ~24 cycles per point and dominated the construction).
// renormalised() gives the same ~106-bit sums: lo's own rounding is ~eps·|lo| <= n·eps²·|hi|.
struct RunningSums {
  __m128d hi = _mm_setzero_pd(), lo = _mm_setzero_pd();
  void add(__m128d v) {
    const __m128d s = _mm_add_pd(hi, v);
    const __m128d bv = _mm_sub_pd(s, hi);
    lo = _mm_add_pd(lo, _mm_add_pd(_mm_sub_pd(hi, _mm_sub_pd(s, bv)), _mm_sub_pd(v, bv)));
    hi = s;
  }
  // Sums and residues with |residue| <= ulp(sum)/2 per lane.
  struct Value {
    __m128d sum, residue;
  };
  Value renormalised() const {
    const __m128d sum = _mm_add_pd(hi, lo);
    return {sum, _mm_sub_pd(lo, _mm_sub_pd(sum, hi))};
  }
};

}  // namespace

IntervalCost::IntervalCost(std::span<const double> sorted_x, std::span<const double> weights,
                           Storage&& storage, bool with_psi)
    : points_(std::move(storage.points)),
      psi_(std::move(storage.psi)),
      n_(sorted_x.size()),
      unit_weights_(weights.empty()) {
  points_.resize(n_ + kColumnPad);
  psi_.resize(with_psi ? n_ + kColumnPad : 0);
  double* psi = with_psi ? psi_.data() : nullptr;
  // Lanes (α, β) and (γ, ψ); ψ_i = ψ_{i−1} + (weight of points 1..i−1)·(x_i − x_{i−1}), non-negative terms.
  RunningSums alpha_beta, gamma_psi;
  const double w0 = n_ == 0 || unit_weights_ ? 1.0 : weights[0];
  for (size_t i = 0; i < n_; ++i) {
    const double x = sorted_x[i], w = unit_weights_ ? 1.0 : weights[i], wx = w * x;
    const double alpha_hi = _mm_cvtsd_f64(alpha_beta.hi), alpha_lo = _mm_cvtsd_f64(alpha_beta.lo);
    const double psi_term = i > 0 ? ((alpha_hi - w0) + alpha_lo) * (x - sorted_x[i - 1]) : 0.0;
    alpha_beta.add(_mm_set_pd(wx, w));
    gamma_psi.add(_mm_set_pd(psi_term, wx * x));
    const auto [ab, ab_residue] = alpha_beta.renormalised();
    const auto [gp, gp_residue] = gamma_psi.renormalised();
    // Point{x, α, β, γ, α_lo, β_lo, γ_lo, 0}: the residues as floats (ψ's residue not kept).
    Point& point = points_[i];
    point.x = x;
    _mm_storeu_pd(&point.alpha_hi, ab);
    point.gamma_hi = _mm_cvtsd_f64(gp);
    _mm_storeu_ps(&point.alpha_lo,
                  _mm_movelh_ps(_mm_cvtpd_ps(ab_residue), _mm_cvtpd_ps(_mm_move_sd(_mm_setzero_pd(), gp_residue))));
    if (psi) psi[i] = _mm_cvtsd_f64(_mm_unpackhi_pd(gp, gp));
  }
  for (size_t i = n_; i < n_ + kColumnPad && n_ > 0; ++i) {
    points_[i] = points_[n_ - 1];
    if (psi) psi[i] = psi[n_ - 1];
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
