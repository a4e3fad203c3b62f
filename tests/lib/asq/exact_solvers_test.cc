// Every exact ASQ solver against the ZipML reference (and ZipML against brute force on tiny inputs).
#include <gtest/gtest.h>

#include <cmath>

#include "lib/asq/asq_solver.h"
#include "lib/asq/concave_lws.h"
#include "lib/asq/density_segments.h"
#include "lib/asq/exact_solvers.h"
#include "lib/asq/interval_cost.h"
#include "lib/core/error.h"
#include "tests/lib/asq/asq_test_data.h"

namespace ipaq::asq {
namespace {

using testing::Shape;

// Minimum over all level sets drawn from the data that contain x_1 and x_d (the ZipML theorem says an
// optimum lies there), by enumerating subsets of the interior points.
double brute_force_cost(const std::vector<double>& x, const std::vector<double>& w, size_t s) {
  const size_t n = x.size();
  double best = INFINITY;
  for (uint32_t mask = 0; mask < (1u << (n - 2)); ++mask) {
    std::vector<double> levels{x.front()};
    for (size_t i = 1; i + 1 < n; ++i) {
      if ((mask >> (i - 1)) & 1u) levels.push_back(x[i]);
    }
    levels.push_back(x.back());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    if (levels.size() > s) continue;
    best = std::min(best, sq_cost(x, w, levels));
  }
  return best;
}

TEST(IntervalCost, MatchesDirectSum) {
  const auto x = testing::random_sorted(60, Shape::kNormal, 1);
  const auto w = testing::random_weights(60, 2);
  for (const bool weighted : {false, true}) {
    const IntervalCost cost(x, weighted ? std::span<const double>(w) : std::span<const double>());
    for (size_t k = 0; k < x.size(); k += 7) {
      for (size_t j = k; j < x.size(); j += 5) {
        double direct = 0.0;
        for (size_t l = k + 1; l < j; ++l) direct += (weighted ? w[l] : 1.0) * (x[j] - x[l]) * (x[l] - x[k]);
        EXPECT_NEAR(cost(k, j), direct, 1e-12 * (1.0 + std::abs(direct))) << k << "," << j;
      }
    }
  }
}

TEST(IntervalCost, BestMiddleIsTheArgmin) {
  for (const bool weighted : {false, true}) {
    const auto x = testing::random_sorted(80, Shape::kLogNormal, 3);
    const auto w = testing::random_weights(80, 4);
    const IntervalCost cost(x, weighted ? std::span<const double>(w) : std::span<const double>());
    for (size_t k = 0; k < 80; k += 3) {
      for (size_t j = k + 1; j < 80; j += 4) {
        double best = INFINITY;
        for (size_t b = k; b <= j; ++b) best = std::min(best, cost(k, b) + cost(b, j));
        const size_t b = cost.best_middle(k, j);
        ASSERT_LE(k, b);
        ASSERT_LT(b, std::max(j, k + 1));
        EXPECT_NEAR(cost(k, b) + cost(b, j), best, 1e-12 * (1.0 + best)) << k << "," << j;
      }
    }
  }
}

// The formula's own cancellation is ~eps · Σ_{interval} w x² (bounded below with margin 8); naive
// double prefix sums would add ~ulp(γ_n) ≈ 2e-9 here (γ_n ≈ 1e7), far above that for a short
// interval at the end of 2^22 points, so this fails unless the prefix sums carry extra precision.
TEST(IntervalCost, PrefixSumsHoldAtLargeD) {
  const size_t n = size_t{1} << 22;
  std::vector<double> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = 1.0 + static_cast<double>(i) / static_cast<double>(n);
  const IntervalCost cost(x, {});
  for (size_t len : {3, 17, 100, 1000}) {
    const size_t k = n - 1 - len, j = n - 1;
    double direct = 0.0, squares = 0.0;
    for (size_t l = k + 1; l < j; ++l) {
      direct += (x[j] - x[l]) * (x[l] - x[k]);
      squares += x[l] * x[l];
    }
    EXPECT_NEAR(cost(k, j), direct, 8 * 2.2e-16 * squares) << "interval length " << len;
  }
}

// ψ_c = Σ_{0<l<=c} w_l (x_c − x_l) (the LWS crossover tests' column), its padding, the strided x access,
// and the identity S2 = Σ_{j<l<c} w_l (x_c − x_l) = (ψ_c − ψ_j) − (x_c − x_j)·α'_j the tests rely on
// (rounding ~eps·(x_c − x_j)·α'_j from the cancellation, plus ~eps·ψ_c).
TEST(IntervalCost, PsiColumnMatchesDefinition) {
  for (const Shape shape : {Shape::kLogNormal, Shape::kNormal, Shape::kIntegers, Shape::kClustered}) {
    for (const bool weighted : {false, true}) {
      const size_t n = 300;
      const auto x = testing::random_sorted(n, shape, 11 + static_cast<uint64_t>(shape));
      const auto w = testing::random_weights(n, 12 + static_cast<uint64_t>(shape));
      const IntervalCost cost(x, weighted ? std::span<const double>(w) : std::span<const double>());
      auto wt = [&](size_t l) { return weighted ? w[l] : 1.0; };
      double total = 0.0;
      for (size_t l = 1; l < n; ++l) total += wt(l);
      const double range = x.back() - x.front();
      for (size_t c = 0; c < n; ++c) {
        double direct = 0.0;
        for (size_t l = 1; l <= c; ++l) direct += wt(l) * (x[c] - x[l]);
        ASSERT_NEAR(cost.psi()[c], direct, 1e-13 * (1.0 + direct)) << "c=" << c;
        for (size_t k = 0; k <= IntervalCost::kColumnPad; ++k) {
          ASSERT_EQ(cost.x_at(c)[k * IntervalCost::kXStride], x[std::min(c + k, n - 1)]);
        }
      }
      for (size_t k = 1; k <= IntervalCost::kColumnPad; ++k) ASSERT_EQ(cost.psi()[n - 1 + k], cost.psi()[n - 1]);
      for (size_t j = 0; j < n; j += 7) {
        for (size_t c = j + 1; c < n; c += 5) {
          double s2 = 0.0;
          for (size_t l = j + 1; l < c; ++l) s2 += wt(l) * (x[c] - x[l]);
          const double via_psi = (cost.psi()[c] - cost.psi()[j]) - (x[c] - x[j]) * cost.weight_between(0, j);
          EXPECT_NEAR(via_psi, s2, 1e-13 * (range * total + 1.0)) << j << "," << c;
        }
      }
    }
  }
}

// Interval costs built without the ψ column (what QUIVER and ZipML get) give the same costs and QUIVER path;
// the LWS refuses them instead of reading past the empty column.
TEST(IntervalCost, WithoutPsiColumn) {
  const auto x = testing::random_sorted(200, Shape::kLogNormal, 21);
  const IntervalCost with(x, {});
  const IntervalCost without(x, {}, IntervalCost::Storage{}, false);
  EXPECT_TRUE(with.has_psi());
  EXPECT_FALSE(without.has_psi());
  for (size_t k = 0; k < x.size(); k += 9) {
    for (size_t j = k; j < x.size(); j += 7) ASSERT_EQ(without(k, j), with(k, j));
  }
  EXPECT_EQ(solve_quiver_path(without, 7), solve_quiver_path(with, 7));
  EXPECT_THROW(ConcaveLws{without}, InvalidArgument);
}

// The density estimate's cube root against std::cbrt over the whole double range (the fast path covers
// [1e-290, 1e290]; outside, zero, infinity and NaN it is std::cbrt).
TEST(DensitySegments, EstimateCbrtMatchesStdCbrt) {
  Rng rng(5);
  for (int i = 0; i < 20000; ++i) {
    const double v = std::ldexp(0.5 + rng.uniform(), static_cast<int>(rng.below(2001)) - 1000);
    ASSERT_NEAR(estimate_cbrt(v), std::cbrt(v), 1e-10 * std::cbrt(v)) << v;
  }
  for (const double v : {0.0, 1e-300, 1e-290, 1.0, 8.0, 27.0, 1e290, 1e300, 1.7e308}) {
    ASSERT_NEAR(estimate_cbrt(v), std::cbrt(v), 1e-10 * std::cbrt(v)) << v;
  }
  EXPECT_EQ(estimate_cbrt(INFINITY), INFINITY);
  EXPECT_TRUE(std::isnan(estimate_cbrt(NAN)));
}

TEST(ZipmlSolver, MatchesBruteForce) {
  for (uint64_t seed = 0; seed < 40; ++seed) {
    const size_t n = 3 + seed % 9;
    const size_t s = 2 + seed % 4;
    const auto x = testing::random_sorted(n, seed % 2 ? Shape::kIntegers : Shape::kNormal, seed);
    const auto w = seed % 3 == 0 ? testing::random_weights(n, seed + 100) : std::vector<double>();
    const Solution sol = solve(x, w, s, {Solver::kZipml});
    const double expected = brute_force_cost(x, w, s);
    EXPECT_NEAR(sol.cost, expected, 1e-10 * (1.0 + expected)) << "seed " << seed;
    EXPECT_NEAR(sq_cost(x, w, sol.levels), sol.cost, 1e-10 * (1.0 + expected));
  }
}

struct Case {
  size_t d, s;
  Shape shape;
  bool weighted;
};

class ExactSolversTest : public ::testing::TestWithParam<Solver> {};

struct ReferenceCase {
  Case c;
  std::vector<double> x, w;
  double zipml_cost;
};

// The random cases with their ZipML costs, computed once for all solvers (ZipML is O(s·d²)).
const std::vector<ReferenceCase>& reference_cases() {
  static const std::vector<ReferenceCase> cases = [] {
    std::vector<Case> grid;
    uint64_t seed = 7;
    for (Shape shape : {Shape::kLogNormal, Shape::kNormal, Shape::kIntegers, Shape::kClustered}) {
      for (size_t s : {2, 3, 4, 5, 8, 16, 33, 64}) {
        for (size_t d : {5, 40, 150, 300}) grid.push_back({d, s, shape, (seed++ % 2) == 0});
      }
    }
    grid.push_back({2000, 4, Shape::kLogNormal, false});
    grid.push_back({1000, 7, Shape::kNormal, true});
    std::vector<ReferenceCase> out;
    for (const Case& c : grid) {
      ReferenceCase r{c, testing::random_sorted(c.d, c.shape, seed), {}, 0.0};
      if (c.weighted) r.w = testing::random_weights(c.d, seed + 1);
      ++seed;
      r.zipml_cost = solve(r.x, r.w, c.s, {Solver::kZipml}).cost;
      out.push_back(std::move(r));
    }
    return out;
  }();
  return cases;
}

// Each exact solver's cost equals ZipML's to 1e-9 relative and its levels really achieve it.
TEST_P(ExactSolversTest, EqualsZipml) {
  for (const ReferenceCase& r : reference_cases()) {
    const Case& c = r.c;
    const auto& x = r.x;
    const auto& w = r.w;
    const Solution sol = solve(x, w, c.s, {GetParam()});
    const std::string where = ::testing::PrintToString(c.d) + " s=" + std::to_string(c.s) +
                              " shape=" + std::to_string(static_cast<int>(c.shape)) +
                              (c.weighted ? " weighted" : "");
    const double tol = 1e-9 * r.zipml_cost + 1e-12 * (x.back() - x.front()) * (x.back() - x.front());
    EXPECT_NEAR(sol.cost, r.zipml_cost, tol) << "d=" << where;
    EXPECT_NEAR(sq_cost(x, w, sol.levels), r.zipml_cost, tol) << "d=" << where;
    ASSERT_LE(sol.levels.size(), c.s);
    EXPECT_EQ(sol.levels.front(), x.front());
    EXPECT_EQ(sol.levels.back(), x.back());
    for (size_t i = 1; i < sol.levels.size(); ++i) ASSERT_LT(sol.levels[i - 1], sol.levels[i]);
  }
}

TEST_P(ExactSolversTest, ConstantAndShortInputs) {
  const std::vector<double> constant(50, 3.0);
  Solution sol = solve(constant, {}, 4, {GetParam()});
  EXPECT_EQ(sol.levels, std::vector<double>{3.0});
  EXPECT_EQ(sol.cost, 0.0);
  const std::vector<double> few{-2.0, -2.0, 0.5, 1.0};  // d <= s
  sol = solve(few, {}, 4, {GetParam()});
  EXPECT_EQ(sol.levels, (std::vector<double>{-2.0, 0.5, 1.0}));
  EXPECT_EQ(sol.cost, 0.0);
}

// On 0,1,2,3,4 OPT(k) for k = 1..4 intervals is 10, 2, 1, 0: OPT(2), OPT(3), OPT(4) are collinear,
// so no penalty λ makes the Lagrangian solver return exactly 3 intervals (λ = 1 ties 2, 3 and 4).
// The solver must still return cost 1 with 4 levels.
TEST_P(ExactSolversTest, CollinearHullTie) {
  const std::vector<double> x{0, 1, 2, 3, 4};
  const Solution sol = solve(x, {}, 4, {GetParam()});
  EXPECT_DOUBLE_EQ(sol.cost, 1.0);
  EXPECT_EQ(sol.levels.size(), 4u);
  // Evenly spaced integers give longer collinear runs; compare with ZipML.
  std::vector<double> grid(41);
  for (size_t i = 0; i < grid.size(); ++i) grid[i] = static_cast<double>(i);
  for (size_t s : {3, 5, 6, 7, 9, 12, 17, 30}) {
    EXPECT_DOUBLE_EQ(solve(grid, {}, s, {GetParam()}).cost, solve(grid, {}, s, {Solver::kZipml}).cost)
        << "s=" << s;
  }
}

TEST_P(ExactSolversTest, ZeroWeightsEverywhereButTwoPoints) {
  std::vector<double> x = testing::random_sorted(30, Shape::kNormal, 5);
  std::vector<double> w(30, 0.0);
  w[10] = 1.0;
  w[20] = 2.0;
  const Solution sol = solve(x, w, 4, {GetParam()});
  EXPECT_NEAR(sol.cost, 0.0, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(All, ExactSolversTest,
                         ::testing::Values(Solver::kQuiver, Solver::kQuiverAccel, Solver::kWilber,
                                           Solver::kAuto),
                         [](const auto& info) {
                           std::string name = solver_name(info.param);
                           name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                           return name;
                         });

// Larger inputs where ZipML is too slow: the fast solvers agree with each other.
TEST(ExactSolvers, FastSolversAgreeAtLargerD) {
  const auto x = testing::random_sorted(3000, Shape::kLogNormal, 11);
  for (size_t s : {4, 16, 64, 128}) {
    const double quiver = solve(x, {}, s, {Solver::kQuiver}).cost;
    EXPECT_NEAR(solve(x, {}, s, {Solver::kQuiverAccel}).cost, quiver, 1e-9 * quiver) << s;
    EXPECT_NEAR(solve(x, {}, s, {Solver::kWilber}).cost, quiver, 1e-9 * quiver) << s;
  }
}

// From d = 16·4096 the Lagrangian solver scouts its first penalty on a subsample (wilber_solver.cc):
// it must still return the exact optimum, weighted or not, wherever the scout lands.
TEST(ExactSolvers, ScoutedLagrangianEqualsQuiver) {
  uint64_t seed = 40;
  for (auto shape : {Shape::kLogNormal, Shape::kNormal, Shape::kIntegers}) {
    const auto x = testing::random_sorted(size_t{1} << 16, shape, ++seed);
    const auto w = seed % 2 ? testing::random_weights(x.size(), seed) : std::vector<double>();
    for (size_t s : {3, 8, 17}) {
      const double quiver = solve(x, w, s, {Solver::kQuiver}).cost;
      EXPECT_NEAR(solve(x, w, s, {Solver::kWilber}).cost, quiver, 1e-9 * quiver) << "s=" << s;
    }
  }
}

}  // namespace
}  // namespace ipaq::asq
