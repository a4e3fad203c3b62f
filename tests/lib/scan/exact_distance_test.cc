// exact_distance kernels: every SIMD level equals the scalar twin bit for bit on integer-valued data (all
// partial sums exact in float), and stays within d · 2^-23 · Σ|term| of a double-precision sum on random
// data, for lengths around every step and tail size (0 .. 200, 784, 1024).
#include "lib/scan/exact_distance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "lib/core/random.h"
#include "simd_levels.h"

namespace ipaq {
namespace {

std::vector<size_t> lengths() {
  std::vector<size_t> out;
  for (size_t d = 0; d <= 200; ++d) out.push_back(d);
  out.push_back(784);
  out.push_back(1024);
  return out;
}

TEST(ExactDistance, IntegerDataExactAtEveryLevel) {
  Rng rng(3);
  std::vector<float> a(1024), b(1024);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = static_cast<float>(static_cast<int>(rng.below(31)) - 15);
    b[i] = static_cast<float>(static_cast<int>(rng.below(31)) - 15);
  }
  testing::for_each_simd_level([&](SimdLevel) {
    for (bool l2 : {false, true}) {
      const ExactDistanceFn f = exact_distance_fn(l2);
      for (size_t d : lengths()) {
        double exact = 0;
        for (size_t i = 0; i < d; ++i) exact += l2 ? (a[i] - b[i]) * (a[i] - b[i]) : a[i] * b[i];
        ASSERT_EQ(f(a.data(), b.data(), d), static_cast<float>(exact)) << "l2 " << l2 << " d " << d;
      }
    }
  });
}

TEST(ExactDistance, RandomDataWithinFloatBound) {
  Rng rng(4);
  std::vector<float> a(1024), b(1024);
  for (auto& v : a) v = static_cast<float>(rng.normal());
  for (auto& v : b) v = static_cast<float>(rng.normal());
  testing::for_each_simd_level([&](SimdLevel) {
    for (bool l2 : {false, true}) {
      const ExactDistanceFn f = exact_distance_fn(l2);
      for (size_t d : lengths()) {
        double exact = 0, magnitude = 0;
        for (size_t i = 0; i < d; ++i) {
          const double t = l2 ? (double(a[i]) - b[i]) * (double(a[i]) - b[i]) : double(a[i]) * b[i];
          exact += t;
          magnitude += std::fabs(t);
        }
        EXPECT_LE(std::fabs(f(a.data(), b.data(), d) - exact), (double(d) + 2) * std::ldexp(1.0, -23) * magnitude)
            << "l2 " << l2 << " d " << d;
      }
    }
  });
}

}  // namespace
}  // namespace ipaq
