// Average-case inner-product objective: weights are per-coordinate second moments of sample queries,
// and the weighted solve minimises the expected squared inner-product error Σ_i a_i v_i.
#include <gtest/gtest.h>

#include "lib/asq/asq_solver.h"
#include "lib/core/error.h"
#include "tests/lib/asq/asq_test_data.h"

namespace ipaq::asq {
namespace {

TEST(WorkloadWeights, SecondMoments) {
  const std::vector<float> queries{1, 2, 0, 3, 0, -4};  // 2 queries × 3 coordinates
  const auto w = second_moment_weights(queries, 2, 3);
  EXPECT_EQ(w, (std::vector<double>{5.0, 2.0, 8.0}));
  EXPECT_THROW(second_moment_weights(queries, 0, 3), InvalidArgument);
  EXPECT_THROW(second_moment_weights(queries, 4, 3), InvalidArgument);
}

// The weighted optimum is at least as good on the weighted objective as the unweighted optimum, and
// strictly better when the workload concentrates on some coordinates.
TEST(WorkloadWeights, WeightedSolveBeatsUnweightedOnTheWorkload) {
  const auto x = testing::random_sorted(400, testing::Shape::kLogNormal, 21);
  std::vector<double> w(400, 0.01);
  for (size_t i = 350; i < 400; ++i) w[i] = 10.0;  // queries care about the largest coordinates
  for (size_t s : {4, 8, 16}) {
    const Solution weighted = solve(x, w, s);
    const Solution plain = solve(x, {}, s);
    EXPECT_LT(weighted.cost, sq_cost(x, w, plain.levels)) << s;
    EXPECT_NEAR(weighted.cost, solve(x, w, s, {Solver::kZipml}).cost, 1e-9 * weighted.cost) << s;
  }
}

}  // namespace
}  // namespace ipaq::asq
