// The f^{1/3} mass of sorted points in segments, shared by the two places that follow the
// high-resolution law of ASQ (optimal levels at density ∝ f^{1/3}, f the data density): the
// approximate solver's extra grid points (approx_solver.cc) and the Lagrangian solver's first penalty
// (wilber_solver.cc). Internal to lib/asq; header-only.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace ipaq::asq {

// Points per segment in both uses: fine enough to follow the density, coarse enough that the weight
// of a segment is not dominated by one point.
inline constexpr size_t kDensitySegment = 8;

// Visits the segments [i, j] of kDensitySegment consecutive points of x(0) <= ... <= x(n − 1)
// (j = min(i + kDensitySegment, n − 1)) that have positive length, in order, as
// visit(i, j, len, mass) with mass = ∫ f^{1/3} over the segment = (weight·len²)^{1/3} for a constant
// density inside; weight(i, j) is the weight of the points (i, j].
template <typename X, typename Weight, typename Visit>
void for_each_density_segment(size_t n, const X& x, const Weight& weight, const Visit& visit) {
  for (size_t i = 0; i + 1 < n; i += kDensitySegment) {
    const size_t j = std::min(i + kDensitySegment, n - 1);
    const double len = x(j) - x(i);
    if (!(len > 0.0)) continue;
    visit(i, j, len, std::cbrt(weight(i, j) * len * len));
  }
}

}  // namespace ipaq::asq
