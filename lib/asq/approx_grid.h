// The grid of the approximate ASQ solver (internal to lib/asq; the public entry point is
// solve_approx() in asq_solver.h). Exposed so that tests can enumerate the grid and compare the
// adapted grid against the plain uniform one.
//
// Grid: the uniform m-point grid g_t = x_min + t·Δ, Δ = (x_max − x_min)/(m − 1), with up to
// `extra_points` further points that subdivide some cells evenly (cell t gets k_t >= 1 sub-cells).
// The extra points follow the density of optimal levels, ∝ f^{1/3} for data density f (the
// high-resolution law of ASQ: cost ≈ Σ f·L³/6 over intervals of length L), estimated from a strided
// sample of the input, so the grid is fine where the levels will be dense. The grid always contains
// the uniform one, so the best level set on it is never worse than on the uniform grid, and the
// largest spacing is still Δ, so approx_cost_bound() holds unchanged.
// Bucketing stays one pass with O(1) work per point (cell table lookup, no search).
//
// Pure functions, thread-safe; each thread keeps its scratch for the next call, to avoid re-faulting
// fresh pages, each part dropped above 16 MiB: on the uniform grid 8 bytes per grid point (its split
// weights); with extra points the cell table (8 bytes per cell) and sub-cell sums (24 bytes per
// sub-cell); and for solve_approx the grid problem (16 bytes per grid point) and its interval costs
// (56 bytes per non-empty grid point). Inputs must be validated by the caller (non-empty, finite,
// weights finite and >= 0 or empty); grid_points >= 2.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "lib/asq/asq_solver.h"

namespace ipaq::asq {

struct ApproxGrid {
  std::vector<double> points;   // every grid point, non-decreasing; front = x_min, back = x_max
  std::vector<double> weights;  // split weight per grid point (Σ = Σ w)
  // V = Σ w (g↑ − x)(x − g↓): the part of the cost that no level set on the grid can remove.
  double split_variance = 0.0;
};

// Splits every x unbiasedly between its two grid neighbours (one pass). For constant input the grid
// is the single point x_min.
ApproxGrid build_approx_grid(std::span<const double> x, std::span<const double> weights,
                             size_t grid_points, size_t extra_points);

// The best level set on that grid (exact solve on its non-empty points); cost is the true cost.
Solution solve_approx_grid(std::span<const double> x, std::span<const double> weights, size_t s,
                           size_t grid_points, size_t extra_points);

// The extra-point budget solve_approx() uses for d input points and m grid points: m/8 when
// d >= 32·m, else 0 (the plain uniform grid; see approx_solver.cc for the measured trade-off).
size_t approx_extra_points(size_t d, size_t grid_points);

}  // namespace ipaq::asq
