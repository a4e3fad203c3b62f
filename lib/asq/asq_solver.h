// Adaptive stochastic quantization (ASQ): choose s levels for a sorted vector so that unbiased
// stochastic rounding to them has the least (weighted) variance. See ../shared/DESIGN.md §2.
//
// Problem: x_1 <= ... <= x_d (doubles), optional weights w_i >= 0, s >= 2 levels. Minimise
//   cost(Q) = Σ_i w_i (x_i↑ - x_i)(x_i - x_i↓)
// over level sets Q with min Q <= x_1, max Q >= x_d. vNMSE = cost / Σ_i w_i x_i^2.
//
// Exact solvers (all return the same optimal cost to ~1e-9 relative):
//   kZipml       O(s·d²) dynamic program — the test reference only.
//   kQuiver      one SMAWK row-minima pass per DP layer, O(s·d) time, (s−3)·d·4 bytes of argmin
//                tables (refused above 4 GiB with InvalidArgument: use kWilber/kAuto).
//   kQuiverAccel closed-form middle level (weighted form in interval_cost.h), ⌈(s−1)/2⌉ layers.
//   kWilber      Lagrangian relaxation (penalty λ per interval, the solver of the paper, which runs
//                Wilber's online SMAWK; here a candidate-list concave LWS pass, concave_lws.h), λ
//                probed on the convex hull of OPT(k) until exactly s−1 intervals (ties spliced);
//                O(d) memory (~76 bytes per point: interval costs with ψ 56, LWS 20), time nearly
//                independent of s (1–6 LWS passes after a scout on a 1/16 subsample for d >= 2^16,
//                or a first penalty from a density estimate of the law OPT(K) ≈ (∫f^{1/3})³/(6K²)
//                on smaller weighted inputs).
//   kAuto        kQuiverAccel for s <= 4, kWilber above (crossover measured at d = 2^16 … 2^24,
//                bench/RESULTS.md).
// Approximate solver:
//   kApprox      grid solve: the uniform m-point grid g_0 = x_1 < ... < g_{m−1} = x_d (spacing
//                Δ = (x_d − x_1)/(m−1)) plus (for d >= 32·m) m/8 points subdividing the cells where
//                levels will be dense (density ∝ f^{1/3} from a strided sample; approx_grid.h).
//                One pass splits each x unbiasedly between its two grid neighbours (weight
//                w(1−p) and w·p); since cost(Q) = gridcost(Q) + Σ w (x − g↓)(g↑ − x) for every level set Q on the grid, the
//                exact solve on the non-empty grid points returns the best level set on the grid —
//                never worse than the best on the plain uniform grid. Guarantee (proof in
//                approx_solver.cc): OPT <= cost <= OPT + W·R·Δ with W = Σ w_i, R = x_d − x_1
//                (approx_cost_bound()). Input need not be sorted: no sort.
//
// Contract: inputs must be sorted ascending (checked; InvalidArgument otherwise), finite (checked),
// weights finite and >= 0. If the data has at most s distinct values, the levels are those values
// (cost 0); otherwise exactly s levels. The returned levels are sorted, strictly increasing, and include
// x_1 and x_d. d < 2^32. Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ipaq::asq {

enum class Solver { kZipml, kQuiver, kQuiverAccel, kWilber, kApprox, kAuto };

// "zipml" | "quiver" | "quiver-accel" | "wilber" | "approx" | "auto"; throws InvalidArgument otherwise.
Solver parse_solver(const std::string& name);
const char* solver_name(Solver s);

struct SolveOptions {
  Solver solver = Solver::kAuto;
  size_t approx_grid = 0;  // m for kApprox; 0 = 100 * s
};

struct Solution {
  std::vector<double> levels;  // sorted, strictly increasing
  double cost = 0.0;           // Σ w_i (x_i↑ − x_i)(x_i − x_i↓) of the returned levels
};

// Solves ASQ for sorted x with s levels. weights empty = all ones; else weights.size() == x.size().
Solution solve(std::span<const double> sorted_x, std::span<const double> weights, size_t s,
               const SolveOptions& options = {});

// Worst-case inner-product objective ("MDV"): minimise max_i (x_i↑ − x_i)(x_i − x_i↓) over s levels
// (levels need not be data points). Returns the levels and, in cost, the achieved maximum variance.
Solution solve_min_max_variance(std::span<const double> sorted_x, size_t s);

// s = 2^bits levels; throws InvalidArgument unless 1 <= bits <= 16.
size_t levels_for_bits(int bits);

// The solver kAuto runs for d points and s levels (never kZipml or kApprox).
Solver auto_solver(size_t d, size_t s);

// kApprox on unsorted x (any order; weights aligned with x). grid_points = m >= 2 (0 = 100 * s).
// Levels are grid points, cost is exact for them. Same validation as solve() except sortedness.
Solution solve_approx(std::span<const double> x, std::span<const double> weights, size_t s,
                      size_t grid_points = 0);
// The additive bound of kApprox: total_weight · range² / (grid_points − 1).
double approx_cost_bound(double total_weight, double range, size_t grid_points);

// Workload weights for the average-case objective: w_i = (1/n) Σ_q y_{q,i}², the per-coordinate
// second moments of n sample queries (row-major n × d). Throws InvalidArgument on n == 0 or non-finite.
std::vector<double> second_moment_weights(std::span<const float> queries, size_t n, size_t d);

// Objective evaluation for any sorted level set covering [x_1, x_d] (x need not be sorted here).
double sq_cost(std::span<const double> x, std::span<const double> weights, std::span<const double> levels);
double sq_max_variance(std::span<const double> x, std::span<const double> levels);

}  // namespace ipaq::asq
