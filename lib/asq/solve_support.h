// Helpers shared by the ASQ entry points (internal to lib/asq): validation and the exact solve on
// already validated sorted input, used by solve() and by the approximate solver's grid problem.
// Pure functions, thread-safe; errors are ipaq::InvalidArgument naming the problem.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "lib/asq/asq_solver.h"
#include "lib/asq/interval_cost.h"

namespace ipaq::asq {

// kAuto uses the accelerated QUIVER up to this many levels and the Lagrangian solver above
// (crossover measured, CPU: accel 48 ms vs Lagrangian 105 ms at d = 2^20, s = 4, and 641 vs 124 ms at
// s = 8; at s = 4 accel also wins at d = 2^16, 2^22 and 2^24; see bench/RESULTS.md).
inline constexpr size_t kAutoMaxAccelLevels = 4;

// Throws unless weights is empty or matches x in size with finite, non-negative entries.
void validate_weights(std::span<const double> x, std::span<const double> weights);

// Adds midpoints of the widest gaps to sorted, strictly increasing levels until there are s (a new
// level only splits an interval, so no variance rises). Stops early if gaps reach double resolution.
void fill_levels(std::vector<double>& levels, size_t s);

// Exact solve of validated, sorted, finite input with s >= 2 (solver: an exact one or kAuto).
// reuse: interval-cost records to build on and hand back (see IntervalCost::Storage), or null.
Solution solve_sorted_exact(std::span<const double> sorted_x, std::span<const double> weights, size_t s,
                            Solver solver, IntervalCost::Storage* reuse = nullptr);

}  // namespace ipaq::asq
