// Random ASQ inputs for the tests: sorted vectors with ties, duplicates, negatives, constants, and
// optional zero weights. Deterministic per seed.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "lib/core/random.h"

namespace ipaq::asq::testing {

enum class Shape { kLogNormal, kNormal, kIntegers, kConstant, kClustered };

inline std::vector<double> random_sorted(size_t d, Shape shape, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> x(d);
  for (auto& v : x) {
    switch (shape) {
      case Shape::kLogNormal: v = std::exp(rng.normal()); break;
      case Shape::kNormal: v = rng.normal() * 3.0 - 1.0; break;                      // negatives
      case Shape::kIntegers: v = static_cast<double>(rng.below(12)) - 5.0; break;   // many ties
      case Shape::kConstant: v = 2.5; break;
      case Shape::kClustered: v = static_cast<double>(rng.below(4)) + 1e-3 * rng.uniform(); break;
    }
  }
  std::sort(x.begin(), x.end());
  return x;
}

// Weights in [0, 2) with about a quarter exactly zero.
inline std::vector<double> random_weights(size_t d, uint64_t seed) {
  Rng rng(seed);
  std::vector<double> w(d);
  for (auto& v : w) v = rng.below(4) == 0 ? 0.0 : 2.0 * rng.uniform();
  return w;
}

}  // namespace ipaq::asq::testing
