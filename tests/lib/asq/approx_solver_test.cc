// The approximate grid solver: exact among grid level sets, within its proven bound of the optimum.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "lib/asq/asq_solver.h"
#include "tests/lib/asq/asq_test_data.h"

namespace ipaq::asq {
namespace {

TEST(ApproxSolver, WithinProvenBoundOfOptimum) {
  uint64_t seed = 100;
  for (auto shape : {testing::Shape::kLogNormal, testing::Shape::kNormal, testing::Shape::kClustered}) {
    for (size_t s : {4, 8, 16}) {
      for (size_t m : {5, 40, 400}) {
        const auto x = testing::random_sorted(500, shape, ++seed);
        const auto w = seed % 2 ? testing::random_weights(500, seed) : std::vector<double>();
        const double opt = solve(x, w, s, {Solver::kWilber}).cost;
        const Solution approx = solve_approx(x, w, s, m);
        const double total_weight = w.empty() ? 500.0 : std::accumulate(w.begin(), w.end(), 0.0);
        const double bound = approx_cost_bound(total_weight, x.back() - x.front(), m);
        const double actual = sq_cost(x, w, approx.levels);
        EXPECT_NEAR(approx.cost, actual, 1e-9 * (1 + actual)) << "reported cost is the true cost";
        EXPECT_GE(actual, opt * (1 - 1e-9));
        EXPECT_LE(actual, opt + bound) << "s=" << s << " m=" << m;
      }
    }
  }
}

// With a small grid, enumerate every level set on the grid that contains both ends: the approximate
// solver must find the best one (it is exact on the grid, see approx_solver.cc).
TEST(ApproxSolver, BestLevelSetOnTheGrid) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    const size_t m = 9, s = 3 + seed % 2;
    const auto x = testing::random_sorted(40, testing::Shape::kLogNormal, seed);
    const double step = (x.back() - x.front()) / (m - 1);
    double best = INFINITY;
    for (uint32_t mask = 0; mask < (1u << (m - 2)); ++mask) {
      if (static_cast<size_t>(__builtin_popcount(mask)) > s - 2) continue;
      std::vector<double> levels{x.front()};
      for (size_t t = 1; t + 1 < m; ++t) {
        if ((mask >> (t - 1)) & 1u) levels.push_back(x.front() + t * step);
      }
      levels.push_back(x.back());
      best = std::min(best, sq_cost(x, {}, levels));
    }
    const Solution approx = solve_approx(x, {}, s, m);
    EXPECT_NEAR(approx.cost, best, 1e-9 * best) << "seed " << seed;
  }
}

TEST(ApproxSolver, UnsortedInputNeedsNoSort) {
  auto x = testing::random_sorted(1000, testing::Shape::kLogNormal, 3);
  const Solution sorted = solve_approx(x, {}, 8, 200);
  std::reverse(x.begin(), x.end());
  const Solution reversed = solve_approx(x, {}, 8, 200);
  EXPECT_EQ(sorted.levels, reversed.levels);
  EXPECT_NEAR(sorted.cost, reversed.cost, 1e-9 * sorted.cost);
}

}  // namespace
}  // namespace ipaq::asq
