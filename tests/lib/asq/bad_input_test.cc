// Bad input gets ipaq::InvalidArgument with a message naming the problem.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "lib/asq/asq_solver.h"
#include "lib/asq/stochastic_rounding.h"
#include "lib/core/error.h"

namespace ipaq::asq {
namespace {

void expect_invalid(const std::function<void()>& f, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one mentioning '" << fragment << "'";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(AsqBadInput, Solve) {
  const std::vector<double> ok{1, 2, 3, 4, 5};
  for (Solver solver : {Solver::kZipml, Solver::kQuiver, Solver::kQuiverAccel, Solver::kWilber,
                        Solver::kApprox, Solver::kAuto}) {
    SolveOptions o{solver};
    expect_invalid([&] { solve({}, {}, 4, o); }, "empty");
    expect_invalid([&] { solve(ok, {}, 1, o); }, "s=1");
    expect_invalid([&] { solve(std::vector<double>{1, NAN, 3}, {}, 2, o); }, "not finite");
    expect_invalid([&] { solve(std::vector<double>{1, INFINITY}, {}, 2, o); }, "not finite");
    expect_invalid([&] { solve(ok, std::vector<double>{1, 1}, 2, o); }, "weights has 2 entries");
    expect_invalid([&] { solve(ok, std::vector<double>{1, 1, -1, 1, 1}, 2, o); }, "negative");
    expect_invalid([&] { solve(ok, std::vector<double>{1, 1, NAN, 1, 1}, 2, o); }, "weights");
    if (solver != Solver::kApprox) {
      expect_invalid([&] { solve(std::vector<double>{1, 3, 2}, {}, 2, o); }, "not sorted");
    }
  }
  expect_invalid([] { solve_min_max_variance(std::vector<double>{3, 1}, 2); }, "not sorted");
  expect_invalid([] { solve_min_max_variance({}, 2); }, "empty");
  expect_invalid([] { parse_solver("fast"); }, "unknown solver 'fast'");
  expect_invalid([] { levels_for_bits(0); }, "bits=0");
  expect_invalid([] { levels_for_bits(17); }, "bits=17");
  EXPECT_EQ(levels_for_bits(16), 65536u);
}

// The approximate solver takes unsorted input and finds non-finite values in its SIMD min/max pass: at
// every position of the eight-value steps and of the scalar tail, NaN and both infinities.
TEST(AsqBadInput, ApproxFindsNonFiniteAnywhere) {
  for (const size_t n : {1, 7, 8, 9, 23, 64}) {
    for (size_t pos = 0; pos < n; ++pos) {
      for (const double bad : {NAN, INFINITY, -INFINITY}) {
        std::vector<double> x(n);
        for (size_t i = 0; i < n; ++i) x[i] = 1.0 + static_cast<double>((i * 7) % 5);
        x[pos] = bad;
        expect_invalid([&] { solve_approx(x, {}, 4); }, "not finite");
      }
    }
  }
}

TEST(AsqBadInput, Rounding) {
  std::vector<float> x{0.5f}, out(1);
  std::vector<uint16_t> idx(1);
  Rng rng(1);
  expect_invalid([&] { round_stochastic(x, std::vector<float>{1, 0}, rng, idx); }, "not strictly increasing");
  expect_invalid([&] { round_nearest(std::vector<float>{NAN}, std::vector<float>{0, 1}, idx); }, "not finite");
  expect_invalid([&] { decode_levels(std::vector<uint16_t>{2}, std::vector<float>{0, 1}, out); }, "out of range");
  expect_invalid([&] { sq_cost(std::vector<double>{5}, {}, std::vector<double>{0, 1}); }, "outside the levels");
}

}  // namespace
}  // namespace ipaq::asq
