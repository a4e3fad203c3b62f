// The concave LWS pass (candidate list with galloping crossovers) against the O(n²) recurrence, and the
// windowed K-link DP between two hull paths against QUIVER.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "lib/asq/concave_lws.h"
#include "lib/asq/exact_solvers.h"
#include "lib/asq/interval_cost.h"
#include "lib/core/error.h"
#include "tests/lib/asq/asq_test_data.h"

namespace ipaq::asq {
namespace {

using testing::Shape;

// f of f[0] = 0, f[j] = min_{i<j} f[i] + C(i, j) + λ, by scanning every i.
std::vector<double> reference_lws(const IntervalCost& cost, double penalty) {
  const size_t n = cost.size();
  std::vector<double> f(n, INFINITY);
  f[0] = 0.0;
  for (size_t j = 1; j < n; ++j) {
    for (size_t i = 0; i < j; ++i) f[j] = std::min(f[j], f[i] + cost(i, j) + penalty);
  }
  return f;
}

TEST(ConcaveLws, EqualsQuadraticRecurrence) {
  int checked = 0;
  for (const Shape shape : {Shape::kLogNormal, Shape::kNormal, Shape::kIntegers, Shape::kConstant,
                            Shape::kClustered}) {
    for (const size_t n : {2, 3, 5, 17, 64, 301}) {
      for (const bool weighted : {false, true}) {
        const uint64_t seed = 100 * n + static_cast<uint64_t>(shape) * 7 + (weighted ? 1 : 0);
        const auto x = testing::random_sorted(n, shape, seed);
        const auto w = testing::random_weights(n, seed + 1);
        const IntervalCost cost(x, weighted ? std::span<const double>(w) : std::span<const double>());
        ConcaveLws lws(cost);
        double energy = 0.0;
        for (size_t i = 0; i < n; ++i) energy += (weighted ? w[i] : 1.0) * x[i] * x[i];
        // Penalties from "a level at every point" to "one interval": the total cost sets the scale.
        const double scale = std::max(cost(0, n - 1), 1e-300);
        for (const double factor : {0.0, 1e-6, 1e-4, 1e-3, 1e-2, 0.1, 0.5, 2.0}) {
          const double penalty = factor * scale;
          const Path path = lws.solve(penalty);
          ASSERT_GE(path.size(), 2u);
          ASSERT_EQ(path.front(), 0u);
          ASSERT_EQ(path.back(), n - 1);
          for (size_t t = 1; t < path.size(); ++t) ASSERT_LT(path[t - 1], path[t]);
          const double got = path_cost(cost, path) + penalty * static_cast<double>(path.size() - 1);
          const std::vector<double> want = reference_lws(cost, penalty);
          // Each interval cost errs by ~eps · Σ_{interval} w x² (interval_cost.h), so a path's cost by
          // ~eps · energy; 1e-13 · energy (~450 eps) bounds that, far below any suboptimal choice.
          const double tolerance = 1e-12 * (scale + std::abs(want[n - 1])) + 1e-13 * energy;
          EXPECT_NEAR(got, want[n - 1], tolerance)
              << "n=" << n << " shape=" << static_cast<int>(shape) << " weighted=" << weighted
              << " factor=" << factor;
          // Every column's minimum, not only the last: a wrong crossover shows at the column it moves.
          for (size_t j = 0; j < n; ++j) {
            ASSERT_NEAR(lws.penalised_costs()[j], want[j], tolerance) << "column " << j << " n=" << n;
          }
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 5 * 6 * 2 * 8);
}

// Reused across penalties (scratch kept), including the same penalty twice.
TEST(ConcaveLws, RepeatedSolvesAgree) {
  const auto x = testing::random_sorted(500, Shape::kLogNormal, 9);
  const IntervalCost cost(x, {});
  ConcaveLws lws(cost);
  const double scale = cost(0, x.size() - 1);
  const Path first = lws.solve(1e-3 * scale);
  lws.solve(1e-1 * scale);
  EXPECT_EQ(lws.solve(1e-3 * scale), first);
}

}  // namespace
}  // namespace ipaq::asq

namespace ipaq::asq {
namespace {

// The windowed K-link DP given two Lagrangian hull paths (wilber_solver.cc) equals QUIVER, for hull
// paths near K (narrow windows) and the extreme ones (1 link; a level at every point: wide windows).
TEST(KLinkBetween, EqualsQuiverForAnyHullPair) {
  int checked = 0;
  for (const testing::Shape shape : {testing::Shape::kLogNormal, testing::Shape::kNormal,
                                     testing::Shape::kIntegers, testing::Shape::kClustered}) {
    for (const size_t n : {40, 257}) {
      for (const bool weighted : {false, true}) {
        const uint64_t seed = 31 * n + static_cast<uint64_t>(shape) * 5 + (weighted ? 1 : 0);
        const auto x = testing::random_sorted(n, shape, seed);
        const auto w = testing::random_weights(n, seed + 1);
        const IntervalCost cost(x, weighted ? std::span<const double>(w) : std::span<const double>());
        double energy = 0.0;
        for (size_t i = 0; i < n; ++i) energy += (weighted ? w[i] : 1.0) * x[i] * x[i];
        ConcaveLws lws(cost);
        Path every(n);
        for (size_t i = 0; i < n; ++i) every[i] = static_cast<uint32_t>(i);
        const Path one{0, static_cast<uint32_t>(n - 1)};
        for (const size_t k : {2, 5, 13}) {
          // Hull vertices on both sides of k: bisection in log λ towards k.
          double lo = 1e-12, hi = 1e12;
          Path more = every, fewer = one;
          for (int it = 0; it < 60; ++it) {
            const double mid = std::sqrt(lo * hi);
            Path p = lws.solve(mid);
            if (p.size() - 1 > k) {
              more = std::move(p);
              lo = mid;
            } else if (p.size() - 1 < k) {
              fewer = std::move(p);
              hi = mid;
            } else {
              break;
            }
          }
          const double want = path_cost(cost, solve_quiver_path(cost, k));
          const double tolerance = 1e-12 * want + 1e-13 * energy;
          using Pair = std::pair<const Path*, const Path*>;
          for (const auto& [a, b] : {Pair{&more, &fewer}, Pair{&every, &one}, Pair{&more, &one}, Pair{&every, &fewer}}) {
            if (a->size() - 1 <= k) continue;  // fewer distinct values than k + 1: nothing above k
            const Path path = solve_k_link_between(cost, k, *a, *b);
            ASSERT_EQ(path.size(), k + 1) << "n=" << n << " k=" << k;
            ASSERT_EQ(path.front(), 0u);
            ASSERT_EQ(path.back(), n - 1);
            for (size_t t = 1; t < path.size(); ++t) ASSERT_LT(path[t - 1], path[t]);
            EXPECT_NEAR(path_cost(cost, path), want, tolerance) << "n=" << n << " k=" << k;
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 4 * 2 * 2 * 3 * 3);  // most cases have all four pairs
}

TEST(KLinkBetween, RejectsPathsOnTheWrongSide) {
  const auto x = testing::random_sorted(20, testing::Shape::kNormal, 3);
  const IntervalCost cost(x, {});
  const Path one{0, 19}, two{0, 7, 19};
  EXPECT_THROW(solve_k_link_between(cost, 2, two, one), InvalidArgument);
  EXPECT_THROW(solve_k_link_between(cost, 1, two, one), InvalidArgument);
}

// Paths that do not run 0 -> n − 1 strictly increasing are refused (the windows would index out of
// bounds); the same paths fixed are accepted.
TEST(KLinkBetween, RejectsMalformedPaths) {
  const auto x = testing::random_sorted(20, testing::Shape::kNormal, 4);
  const IntervalCost cost(x, {});
  const Path one{0, 19}, good{0, 3, 9, 14, 19};
  EXPECT_EQ(solve_k_link_between(cost, 2, good, one).size(), 3u);
  for (const Path& bad : {Path{1, 3, 9, 14, 19}, Path{0, 3, 9, 14, 18}, Path{0, 3, 9, 14, 25},
                          Path{0, 9, 3, 14, 19}, Path{0, 3, 3, 14, 19}}) {
    EXPECT_THROW(solve_k_link_between(cost, 2, bad, one), InvalidArgument);
  }
  EXPECT_THROW(solve_k_link_between(cost, 2, good, Path{0, 18}), InvalidArgument);
  EXPECT_THROW(solve_k_link_between(cost, 2, good, Path{2, 19}), InvalidArgument);
  EXPECT_THROW(solve_k_link_between(cost, 3, good, Path{0, 12, 12}), InvalidArgument);
}

// With the windowed finish disabled (window budget 0) the Lagrangian solver must end by hitting K
// exactly or by the tie decision and splice: checked against ZipML on random and tie-heavy inputs.
// On 0..4 with K = 3 no penalty yields 3 links (OPT(2..4) = 2, 1, 0 are collinear), so a 3-link
// result there can only come from the splice.
TEST(WilberSplice, WithoutWindowedFinishEqualsZipml) {
  const std::vector<double> tie{0, 1, 2, 3, 4};
  const IntervalCost tie_cost(tie, {});
  const Path spliced = solve_wilber_path(tie_cost, 3, 0.0);
  ASSERT_EQ(spliced.size(), 4u);
  EXPECT_DOUBLE_EQ(path_cost(tie_cost, spliced), 1.0);

  std::vector<double> grid(41);  // evenly spaced: long collinear runs of OPT(k)
  for (size_t i = 0; i < grid.size(); ++i) grid[i] = static_cast<double>(i);
  int checked = 0;
  const auto check = [&](const std::vector<double>& x, const std::vector<double>& w, size_t k,
                         const std::string& where) {
    const IntervalCost cost(x, w);
    const Path path = solve_wilber_path(cost, k, 0.0);
    ASSERT_GE(path.size(), 2u) << where;
    ASSERT_LE(path.size(), k + 1) << where;
    ASSERT_EQ(path.front(), 0u) << where;
    ASSERT_EQ(path.back(), x.size() - 1) << where;
    for (size_t t = 1; t < path.size(); ++t) ASSERT_LT(path[t - 1], path[t]) << where;
    const double want = path_cost(cost, solve_zipml_path(cost, k));
    const double range = x.back() - x.front();
    EXPECT_NEAR(path_cost(cost, path), want, 1e-9 * want + 1e-12 * range * range) << where;
    EXPECT_NEAR(path_cost(cost, solve_quiver_path(cost, k)), want, 1e-9 * want + 1e-12 * range * range)
        << where;
    ++checked;
  };
  for (size_t k = 2; k < grid.size(); k += 3) check(grid, {}, k, "grid k=" + std::to_string(k));
  for (const testing::Shape shape : {testing::Shape::kLogNormal, testing::Shape::kNormal,
                                     testing::Shape::kIntegers, testing::Shape::kClustered}) {
    for (const size_t n : {40, 150}) {
      for (const bool weighted : {false, true}) {
        const uint64_t seed = 101 * n + static_cast<uint64_t>(shape) * 7 + (weighted ? 1 : 0);
        const auto x = testing::random_sorted(n, shape, seed);
        const auto w = weighted ? testing::random_weights(n, seed + 1) : std::vector<double>();
        for (const size_t k : {2, 3, 5, 8, 16, 33}) {
          check(x, w, k, "shape=" + std::to_string(static_cast<int>(shape)) + " n=" + std::to_string(n) +
                             " k=" + std::to_string(k) + (weighted ? " weighted" : ""));
        }
      }
    }
  }
  EXPECT_EQ(checked, 13 + 4 * 2 * 2 * 6);
}

}  // namespace
}  // namespace ipaq::asq
