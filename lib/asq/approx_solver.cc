// Approximate ASQ on an m-point grid: one pass of unbiased splitting onto the grid, then an exact
// weighted solve on the non-empty grid points.
//
// Exactness on the grid. Let g↓ <= x <= g↑ be the grid neighbours of x and Y the random grid point
// with P(Y = g↑) = p = (x − g↓)/Δ, so E[Y] = x and Var Y = (g↑ − x)(x − g↓). For levels Q on the grid
// with neighbours a <= g↓, g↑ <= b of x, f(y) = (b − y)(y − a) is a quadratic with leading
// coefficient −1, so f(x) = E f(Y) + Var Y. Summing with weights:
//   cost(Q) = Σ_t W_t f_Q(g_t) + V,   W_t = the split weights,  V = Σ w (g↑ − x)(x − g↓),
// where V does not depend on Q. The exact weighted solve over grid points therefore returns the best
// level set among those on the grid, and its true cost is the grid cost plus V.
//
// Bound against the unrestricted optimum Q* (levels at data points, q_0 = x_1, q_K = x_d, both grid
// points). Round every level of Q* down to the grid: Q' (at most s levels; more levels never hurt).
// Take x between q_{i−1} <= x <= q_i. If q_i' <= x, the Q' neighbours of x are within Δ below it
// (q_i' >= q_i − Δ) and within R above, so its variance is <= R·Δ. Otherwise its neighbours lie in
// [q_{i−1} − Δ, q_i], so its variance <= (q_i − x)(x − q_{i−1} + Δ) <= its Q* variance + R·Δ.
// Hence OPT <= cost(approx) <= cost(Q') <= OPT + W·R·Δ, W = Σ w. The bound is worst case (a point
// mass between two grid points nearly attains it); on smooth data the gap is far smaller
// (bench/RESULTS.md measures it at m = 100·s).
#include <algorithm>
#include <cmath>

#include "lib/asq/asq_solver.h"
#include "lib/asq/solve_support.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq::asq {

double approx_cost_bound(double total_weight, double range, size_t grid_points) {
  IPAQ_CHECK_ARG(grid_points >= 2, "asq approx: grid_points=", grid_points, " must be >= 2");
  return total_weight * range * range / static_cast<double>(grid_points - 1);
}

Solution solve_approx(std::span<const double> x, std::span<const double> weights, size_t s,
                      size_t grid_points) {
  IPAQ_CHECK_ARG(!x.empty(), "asq approx: empty input");
  IPAQ_CHECK_ARG(s >= 2, "asq approx: s=", s, " levels; at least 2 are needed");
  check_finite(x.data(), x.size(), "asq approx: input");
  validate_weights(x, weights);
  const size_t m = grid_points == 0 ? checked_mul(100, s, "asq approx: grid") : grid_points;
  IPAQ_CHECK_ARG(m >= 2, "asq approx: grid_points=", m, " must be >= 2");

  const auto [min_it, max_it] = std::minmax_element(x.begin(), x.end());
  const double lo = *min_it, hi = *max_it;
  if (!(hi > lo)) return Solution{{lo}, 0.0};
  const double step = (hi - lo) / static_cast<double>(m - 1);
  const double inv_step = 1.0 / step;

  std::vector<double> grid_weight(m, 0.0);
  double split_variance = 0.0;  // Σ w p (1 − p), times Δ² below; per-point terms <= w/4
  for (size_t i = 0; i < x.size(); ++i) {
    const double u = (x[i] - lo) * inv_step;
    const size_t t = std::min(static_cast<size_t>(u), m - 2);
    const double p = std::clamp(u - static_cast<double>(t), 0.0, 1.0);
    const double w = weights.empty() ? 1.0 : weights[i];
    grid_weight[t] += w * (1.0 - p);
    grid_weight[t + 1] += w * p;
    split_variance += w * p * (1.0 - p);
  }

  // The non-empty grid points (both ends always: the levels must cover [x_1, x_d]).
  std::vector<double> points, point_weights;
  for (size_t t = 0; t < m; ++t) {
    if (grid_weight[t] > 0.0 || t == 0 || t == m - 1) {
      points.push_back(t == m - 1 ? hi : lo + static_cast<double>(t) * step);
      point_weights.push_back(grid_weight[t]);
    }
  }
  Solution out = solve_sorted_exact(points, point_weights, s, Solver::kAuto);
  out.cost += split_variance * step * step;
  return out;
}

}  // namespace ipaq::asq
