// Public ASQ entry points: input validation, solver dispatch, paths to levels, objective evaluation.
#include "lib/asq/asq_solver.h"

#include <algorithm>
#include <cmath>
#include <queue>

#include "lib/asq/exact_solvers.h"
#include "lib/asq/solve_support.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq::asq {
namespace {

struct SolverName {
  Solver solver;
  const char* name;
};
constexpr SolverName kSolverNames[] = {{Solver::kZipml, "zipml"},   {Solver::kQuiver, "quiver"},
                                       {Solver::kQuiverAccel, "quiver-accel"},
                                       {Solver::kWilber, "wilber"}, {Solver::kApprox, "approx"},
                                       {Solver::kAuto, "auto"}};

}  // namespace

void fill_levels(std::vector<double>& levels, size_t s) {
  if (levels.size() >= s || levels.size() < 2) return;
  std::priority_queue<std::pair<double, double>> gaps;  // (width, low end)
  for (size_t i = 1; i < levels.size(); ++i) gaps.emplace(levels[i] - levels[i - 1], levels[i - 1]);
  while (levels.size() < s) {
    const auto [width, low] = gaps.top();
    const double mid = low + width / 2;
    if (!(mid > low && mid < low + width)) break;  // gaps exhausted at double resolution
    gaps.pop();
    levels.push_back(mid);
    gaps.emplace(mid - low, low);
    gaps.emplace(low + width - mid, mid);
  }
  std::sort(levels.begin(), levels.end());
}

namespace {

Path run_exact(Solver solver, const IntervalCost& cost, size_t intervals) {
  switch (solver) {
    case Solver::kZipml:
      return solve_zipml_path(cost, intervals);
    case Solver::kQuiver:
      return solve_quiver_path(cost, intervals);
    case Solver::kQuiverAccel:
      return solve_quiver_accel_path(cost, intervals);
    case Solver::kWilber:
      return solve_wilber_path(cost, intervals);
    default:
      throw InvalidArgument("asq: not an exact solver");
  }
}

}  // namespace

Solver parse_solver(const std::string& name) {
  for (const auto& entry : kSolverNames) {
    if (name == entry.name) return entry.solver;
  }
  throw InvalidArgument("asq: unknown solver '" + name +
                        "' (expected zipml, quiver, quiver-accel, wilber, approx or auto)");
}

const char* solver_name(Solver s) {
  for (const auto& entry : kSolverNames) {
    if (s == entry.solver) return entry.name;
  }
  return "unknown";
}

size_t levels_for_bits(int bits) {
  IPAQ_CHECK_ARG(bits >= 1 && bits <= 16, "asq: bits=", bits, " is outside [1, 16]");
  return size_t{1} << bits;
}

Solver auto_solver(size_t d, size_t s) {
  // Crossovers measured in bench/asq (bench/RESULTS.md, "ASQ solvers"): the accelerated QUIVER costs
  // ~s/2 SMAWK passes, the Lagrangian solver a roughly constant number of LWS passes.
  const size_t intervals = s - 1;
  const bool tables_fit = quiver_table_bytes(d, (intervals + 1) / 2) <= kMaxQuiverTableBytes;
  return (s <= kAutoMaxAccelLevels && tables_fit) ? Solver::kQuiverAccel : Solver::kWilber;
}

void validate_weights(std::span<const double> x, std::span<const double> weights) {
  if (weights.empty()) return;
  IPAQ_CHECK_ARG(weights.size() == x.size(), "asq: weights has ", weights.size(),
                 " entries but the input has ", x.size());
  check_finite(weights.data(), weights.size(), "asq: weights");
  for (size_t i = 0; i < weights.size(); ++i) {
    IPAQ_CHECK_ARG(weights[i] >= 0.0, "asq: weights[", i, "] = ", weights[i], " is negative");
  }
}

Solution solve_sorted_exact(std::span<const double> sorted_x, std::span<const double> weights, size_t s,
                            Solver solver, IntervalCost::Storage* reuse) {
  const size_t n = sorted_x.size();
  IPAQ_CHECK_ARG(n < (size_t{1} << 32), "asq: d=", n, " exceeds the 2^32 − 1 points an exact solver indexes");
  Solution out;
  for (size_t i = 0; i < n; ++i) {
    if (i == 0 || sorted_x[i] != sorted_x[i - 1]) out.levels.push_back(sorted_x[i]);
    if (out.levels.size() > s) break;
  }
  if (out.levels.size() <= s) return out;  // every distinct value is a level: cost 0
  if (solver == Solver::kAuto) solver = auto_solver(n, s);
  // Only the Lagrangian solver's LWS reads the ψ column (8 bytes per point; 128 MB at d = 2^24).
  IntervalCost cost(sorted_x, weights, reuse ? std::move(*reuse) : IntervalCost::Storage{},
                    solver == Solver::kWilber);
  const Path path = run_exact(solver, cost, s - 1);
  out.cost = path_cost(cost, path);
  if (reuse) *reuse = std::move(cost).release();
  out.levels.clear();
  for (uint32_t p : path) {
    if (out.levels.empty() || sorted_x[p] != out.levels.back()) out.levels.push_back(sorted_x[p]);
  }
  fill_levels(out.levels, s);
  return out;
}

Solution solve(std::span<const double> sorted_x, std::span<const double> weights, size_t s,
               const SolveOptions& options) {
  IPAQ_CHECK_ARG(!sorted_x.empty(), "asq: empty input");
  IPAQ_CHECK_ARG(s >= 2, "asq: s=", s, " levels; at least 2 are needed");
  check_finite(sorted_x.data(), sorted_x.size(), "asq: input");
  validate_weights(sorted_x, weights);
  if (options.solver == Solver::kApprox) return solve_approx(sorted_x, weights, s, options.approx_grid);
  for (size_t i = 1; i < sorted_x.size(); ++i) {
    IPAQ_CHECK_ARG(sorted_x[i - 1] <= sorted_x[i], "asq: input is not sorted ascending (x[", i - 1,
                   "] = ", sorted_x[i - 1], " > x[", i, "] = ", sorted_x[i], ")");
  }
  return solve_sorted_exact(sorted_x, weights, s, options.solver);
}

namespace {

// Neighbouring levels of v; throws if v is outside [levels.front(), levels.back()].
std::pair<double, double> bracket(std::span<const double> levels, double v) {
  IPAQ_CHECK_ARG(v >= levels.front() && v <= levels.back(), "asq: value ", v,
                 " lies outside the levels [", levels.front(), ", ", levels.back(), "]");
  auto it = std::upper_bound(levels.begin(), levels.end(), v);
  if (it == levels.end()) return {v, v};  // v == max level
  return {*(it - 1), *it};
}

void validate_levels(std::span<const double> levels) {
  IPAQ_CHECK_ARG(!levels.empty(), "asq: empty level set");
  check_finite(levels.data(), levels.size(), "asq: levels");
  for (size_t i = 1; i < levels.size(); ++i) {
    IPAQ_CHECK_ARG(levels[i - 1] < levels[i], "asq: levels are not strictly increasing at index ", i);
  }
}

}  // namespace

double sq_cost(std::span<const double> x, std::span<const double> weights, std::span<const double> levels) {
  validate_levels(levels);
  validate_weights(x, weights);
  double sum = 0.0, compensation = 0.0;  // Kahan: d up to 2^24 terms
  for (size_t i = 0; i < x.size(); ++i) {
    const auto [lo, hi] = bracket(levels, x[i]);
    const double term = (weights.empty() ? 1.0 : weights[i]) * (hi - x[i]) * (x[i] - lo) - compensation;
    const double next = sum + term;
    compensation = (next - sum) - term;
    sum = next;
  }
  return sum;
}

double sq_max_variance(std::span<const double> x, std::span<const double> levels) {
  validate_levels(levels);
  double worst = 0.0;
  for (double v : x) {
    const auto [lo, hi] = bracket(levels, v);
    worst = std::max(worst, (hi - v) * (v - lo));
  }
  return worst;
}

std::vector<double> second_moment_weights(std::span<const float> queries, size_t n, size_t d) {
  IPAQ_CHECK_ARG(n > 0 && d > 0, "asq: second moments need at least one query of dimension > 0");
  IPAQ_CHECK_ARG(queries.size() == checked_mul(n, d, "asq: queries"), "asq: queries has ", queries.size(),
                 " values, expected n*d = ", n * d);
  check_finite(queries.data(), queries.size(), "asq: queries");
  std::vector<double> w(d, 0.0);
  for (size_t q = 0; q < n; ++q) {
    for (size_t i = 0; i < d; ++i) w[i] += static_cast<double>(queries[q * d + i]) * queries[q * d + i];
  }
  for (double& v : w) v /= static_cast<double>(n);
  return w;
}

}  // namespace ipaq::asq
