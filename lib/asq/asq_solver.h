// Adaptive stochastic quantization (ASQ): choose s levels for a sorted vector so that unbiased
// stochastic rounding to them has the least (weighted) variance. See ../shared/DESIGN.md §2.
//
// Problem: x_1 <= ... <= x_d (doubles), optional weights w_i >= 0, s >= 2 levels. Minimise
//   cost(Q) = Σ_i w_i (x_i↑ - x_i)(x_i - x_i↓)
// over level sets Q with min Q <= x_1, max Q >= x_d. vNMSE = cost / Σ_i w_i x_i^2.
//
// Exact solvers (all return the same optimal cost to ~1e-9 relative):
//   kZipml       O(s·d²) dynamic program — the test reference only.
//   kQuiver      one SMAWK row-minima pass per DP layer, O(s·d) time.
//   kQuiverAccel closed-form middle level, ⌈s/2⌉ SMAWK layers.
//   kWilber      Lagrangian relaxation (penalty λ per interval) solved by Wilber's online SMAWK, λ
//                searched until exactly s−1 intervals; O(d) memory, time independent of s.
//   kAuto        picks the fastest exact solver for (d, s) from measured crossover points.
// Approximate solver:
//   kApprox      buckets values onto an m-point uniform grid, solves exactly on non-empty buckets.
//
// Contract: inputs must be sorted ascending (checked; InvalidArgument otherwise), finite (checked),
// weights finite and >= 0. If the data has at most s distinct values, the levels are those values
// (cost 0). The returned levels are sorted, strictly increasing, and include x_1 and x_d. Pure functions,
// thread-safe.
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

// Objective evaluation for any sorted level set covering [x_1, x_d] (x need not be sorted here).
double sq_cost(std::span<const double> x, std::span<const double> weights, std::span<const double> levels);
double sq_max_variance(std::span<const double> x, std::span<const double> levels);

}  // namespace ipaq::asq
