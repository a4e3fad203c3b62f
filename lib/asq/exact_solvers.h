// The exact ASQ solvers as index-path dynamic programs (internal to lib/asq; the public entry point
// is lib/asq/asq_solver.h, which validates input and turns paths into levels).
//
// Every function takes the interval costs of n >= 2 sorted points and a number of intervals
// 1 <= K <= n − 1, and returns an optimal path 0 = p_0 < p_1 < ... < p_K' = n − 1 (K' <= K; fewer
// intervals only when they already reach the optimum, e.g. zero-weight points) minimising
// Σ C(p_{t−1}, p_t): levels at x[p_t]. Memory is stated per solver. Thread-safe (pure functions).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/asq/interval_cost.h"

namespace ipaq::asq {

using Path = std::vector<uint32_t>;

// ZipML dynamic program, O(K·n²) time, O(K·n) memory. Test reference.
Path solve_zipml_path(const IntervalCost& cost, size_t intervals);

// QUIVER: one SMAWK row-minima pass per DP layer, O(K·n) time, K·n·4 bytes of argmin tables.
Path solve_quiver_path(const IntervalCost& cost, size_t intervals);

// Accelerated QUIVER: each layer places two levels (the middle one by IntervalCost::best_middle),
// ⌈K/2⌉ SMAWK layers, ⌈K/2⌉·n·4 bytes of tables.
Path solve_quiver_accel_path(const IntervalCost& cost, size_t intervals);

// Lagrangian relaxation, each penalty solved as a concave least-weight subsequence (concave_lws.h),
// penalty λ searched on the convex hull of OPT(k); O(n) memory, time independent of K.
// window_budget: Σ window sizes (in units of n) up to which it finishes by solve_k_link_between
// instead of further probes; 0 disables that finish (tests use it to reach the tie splice).
inline constexpr double kWilberWindowBudget = 1.5;
Path solve_wilber_path(const IntervalCost& cost, size_t intervals, double window_budget = kWilberWindowBudget);

// An optimal path with exactly K links, given paths `more` (> K links) and `fewer` (< K links) that are
// each optimal for their number of links (e.g. Lagrangian hull vertices): the layered DP restricted to
// the windows they imply for every breakpoint (proof in wilber_solver.cc), in time ~ Σ window sizes.
// Empty if the windows are inconsistent (possible only through ties or rounding). Both paths must run
// from 0 to n − 1, strictly increasing (checked, InvalidArgument otherwise).
Path solve_k_link_between(const IntervalCost& cost, size_t intervals, const Path& more, const Path& fewer);

// Bytes of argmin tables QUIVER needs for (n, K); solve_quiver_path refuses above kMaxTableBytes.
size_t quiver_table_bytes(size_t n, size_t layers);
inline constexpr size_t kMaxQuiverTableBytes = size_t{4} << 30;

// Σ C(p_{t−1}, p_t) along a path.
double path_cost(const IntervalCost& cost, const Path& path);

}  // namespace ipaq::asq
