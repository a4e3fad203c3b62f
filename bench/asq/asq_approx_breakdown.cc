// Where the approximate ASQ solver's time goes, next to std::sort of the same input:
//   asq_approx_breakdown D S REPS
// Input: LogNormal(0, 1), seed 42, m = 100·S grid points with the extra points solve_approx() uses.
// Steps, each timed separately (per-thread CPU, median of REPS round-robin runs): std::sort of a copy;
// build_approx_grid (min/max pass, density sample if any, bucketing, grid weights); the exact solve of
// the non-empty grid points (what solve_approx runs after the grid); one concave-LWS pass on those
// points at a penalty that yields S − 1 intervals (found untimed by bisection); solve_approx end to end.
// solve / pass approximates the number of LWS passes plus the fixed per-solve work.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "lib/asq/approx_grid.h"
#include "bench/asq/bench_util.h"
#include "lib/asq/asq_solver.h"
#include "lib/asq/concave_lws.h"
#include "lib/asq/distributions.h"
#include "lib/asq/interval_cost.h"
#include "lib/asq/solve_support.h"

namespace {

using ipaq::asq::bench::thread_cpu_ms;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int run(int argc, char** argv) {
  using namespace ipaq::asq;
  if (argc != 4) {
    std::fprintf(stderr, "usage: asq_approx_breakdown D S REPS\n");
    return 2;
  }
  const size_t d = std::stoull(argv[1]), s = std::stoull(argv[2]);
  const int reps = std::stoi(argv[3]);
  const size_t m = 100 * s, extra = approx_extra_points(d, m);
  const std::vector<double> raw = sample_distribution("lognormal", d, 42);

  // The grid problem, and a penalty giving s − 1 intervals on it (bisection in log λ, untimed).
  const ApproxGrid grid = build_approx_grid(raw, {}, m, extra);
  std::vector<double> points, weights;
  for (size_t i = 0; i < grid.points.size(); ++i) {
    if (grid.weights[i] > 0.0 || i == 0 || i + 1 == grid.points.size()) {
      points.push_back(grid.points[i]);
      weights.push_back(grid.weights[i]);
    }
  }
  const IntervalCost cost(points, weights);
  ConcaveLws lws(cost);
  double lo = 1e-12, hi = 1e12, penalty = 1.0;
  size_t links = 0;
  for (int it = 0; it < 200; ++it) {
    penalty = std::sqrt(lo * hi);
    links = lws.solve(penalty).size() - 1;
    if (links == s - 1 || hi / lo < 1 + 1e-12) break;
    (links > s - 1 ? lo : hi) = penalty;
  }

  std::vector<double> t_sort, t_grid, t_solve, t_pass, t_approx;
  for (int rep = 0; rep < reps; ++rep) {
    std::vector<double> work = raw;
    double start = thread_cpu_ms();
    std::sort(work.begin(), work.end());
    t_sort.push_back(thread_cpu_ms() - start);
    start = thread_cpu_ms();
    const ApproxGrid g = build_approx_grid(raw, {}, m, extra);
    t_grid.push_back(thread_cpu_ms() - start);
    start = thread_cpu_ms();
    const Solution grid_solution = solve_sorted_exact(points, weights, s, Solver::kAuto);
    t_solve.push_back(thread_cpu_ms() - start);
    start = thread_cpu_ms();
    const size_t pass_links = lws.solve(penalty).size() - 1;
    t_pass.push_back(thread_cpu_ms() - start);
    start = thread_cpu_ms();
    const Solution approx = solve_approx(raw, {}, s);
    t_approx.push_back(thread_cpu_ms() - start);
    if (g.points.size() != grid.points.size() || pass_links != links || approx.levels.size() != s ||
        grid_solution.levels.size() != s) {
      std::fprintf(stderr, "asq_approx_breakdown: inconsistent runs\n");
      return 1;
    }
  }
  const double sort = median(t_sort), approx = median(t_approx), pass = median(t_pass);
  std::printf("d=%zu s=%zu m=%zu extra=%zu grid points %zu, non-empty %zu (%.1f %% of d); pass links %zu\n",
              d, s, m, extra, grid.points.size(), points.size(), 100.0 * points.size() / d, links);
  std::printf("median CPU ms: sort %.3f | grid build %.3f | grid solve (%s) %.3f | one LWS pass %.3f "
              "(%.1f ns/point) | approx %.3f\n",
              sort, median(t_grid), solver_name(auto_solver(points.size(), s)), median(t_solve), pass,
              pass * 1e6 / points.size(), approx);
  std::printf("sort/approx %.2fx  sort/10 %.3f ms  grid solve / pass %.2f  grid build + one pass %.3f ms\n",
              sort / approx, sort / 10, median(t_solve) / pass, median(t_grid) + pass);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return ipaq::asq::bench::guarded_main("asq_approx_breakdown", [&] { return run(argc, argv); });
}
