// Worst-case (minimum maximum variance) solver against exhaustive search over a fine level grid.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "lib/asq/asq_solver.h"
#include "tests/lib/asq/asq_test_data.h"

namespace ipaq::asq {
namespace {

// Best max-variance over level sets {x_1, interior levels on a grid of step h, x_d}.
double brute_force_grid(const std::vector<double>& x, size_t s, double h) {
  std::vector<double> candidates;
  for (double q = x.front() + h; q < x.back(); q += h) candidates.push_back(q);
  double best = sq_max_variance(x, std::vector<double>{x.front(), x.back()});
  // Enumerate increasing index tuples of length s − 2 (s <= 4 keeps this small).
  std::function<void(size_t, size_t, std::vector<double>&)> rec = [&](size_t depth, size_t start,
                                                                      std::vector<double>& levels) {
    if (depth == s - 2) {
      std::vector<double> all{x.front()};
      all.insert(all.end(), levels.begin(), levels.end());
      all.push_back(x.back());
      best = std::min(best, sq_max_variance(x, all));
      return;
    }
    for (size_t i = start; i < candidates.size(); ++i) {
      levels.push_back(candidates[i]);
      rec(depth + 1, i + 1, levels);
      levels.pop_back();
    }
  };
  std::vector<double> levels;
  rec(0, 0, levels);
  return best;
}

// v_grid >= v* (it is one level set) and v_grid <= v* + hR/2 + h²/4 (round the optimal levels to the
// grid: each moves <= h/2, raising any variance by <= hR/2 + h²/4). The solver's levels achieve its
// reported v >= v*, so it must lie in [v_grid − hR − h², v_grid + 1e-12].
TEST(MinMaxVariance, MatchesExhaustiveGridSearch) {
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    const size_t s = 3 + seed % 2;
    auto x = testing::random_sorted(9, testing::Shape::kNormal, seed);
    const double h = (x.back() - x.front()) / 200.0, range = x.back() - x.front();
    const Solution sol = solve_min_max_variance(x, s);
    const double grid = brute_force_grid(x, s, h);
    EXPECT_LE(sol.cost, grid + 1e-12) << "seed " << seed;
    EXPECT_GE(sol.cost, grid - h * range - h * h) << "seed " << seed;
    EXPECT_DOUBLE_EQ(sq_max_variance(x, sol.levels), sol.cost);
    EXPECT_EQ(sol.levels.size(), s);
  }
}

TEST(MinMaxVariance, NoWorseThanTheMseOptimalLevels) {
  const auto x = testing::random_sorted(3000, testing::Shape::kLogNormal, 9);
  for (size_t s : {4, 16, 64}) {
    const Solution mdv = solve_min_max_variance(x, s);
    const Solution mse = solve(x, {}, s);
    EXPECT_LE(mdv.cost, sq_max_variance(x, mse.levels) * (1 + 1e-12)) << s;
    EXPECT_EQ(mdv.levels.front(), x.front());
    EXPECT_EQ(mdv.levels.back(), x.back());
  }
}

// At most s distinct values: each is a level and the maximum variance is 0.
TEST(MinMaxVariance, FewDistinctValues) {
  const std::vector<double> x{1, 1, 2, 2, 2, 7};
  const Solution sol = solve_min_max_variance(x, 4);
  EXPECT_EQ(sol.levels, (std::vector<double>{1, 2, 7}));
  EXPECT_EQ(sol.cost, 0.0);
}

}  // namespace
}  // namespace ipaq::asq
