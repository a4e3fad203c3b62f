// The f^{1/3} mass of sorted points in segments, shared by the two places that follow the
// high-resolution law of ASQ (optimal levels at density ∝ f^{1/3}, f the data density): the
// approximate solver's extra grid points (approx_solver.cc) and the Lagrangian solver's first penalty
// (wilber_solver.cc). Internal to lib/asq; header-only.
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace ipaq::asq {

// Points per segment in both uses: fine enough to follow the density, coarse enough that the weight
// of a segment is not dominated by one point.
inline constexpr size_t kDensitySegment = 8;

// v^{1/3} to ~1e-10 relative for finite v >= 0 (exponent-thirding first guess, ~5 % off, then three
// Newton steps), std::cbrt otherwise: for estimates, at a fifth of std::cbrt's cost.
inline double estimate_cbrt(double v) {
  if (!(v >= 1e-290 && v <= 1e290)) return std::cbrt(v);
  double y = std::bit_cast<double>(std::bit_cast<uint64_t>(v) / 3 + 0x2a9f7893782da1ceULL);
  for (int step = 0; step < 3; ++step) y = (2.0 * y + v / (y * y)) * (1.0 / 3.0);
  return y;
}

// Visits the segments [i, j] of kDensitySegment consecutive points of x(0) <= ... <= x(n − 1)
// (j = min(i + kDensitySegment, n − 1)) that have positive length, in order, as
// visit(i, j, len, mass) with mass = ∫ f^{1/3} over the segment = (weight·len²)^{1/3} for a constant
// density inside; weight(i, j) is the weight of the points (i, j]. kEstimate: the mass from
// estimate_cbrt (the Lagrangian solver's first penalty, an estimate) instead of std::cbrt (the
// approximate grid's extra points, which fix the grid).
template <bool kEstimate = false, typename X, typename Weight, typename Visit>
void for_each_density_segment(size_t n, const X& x, const Weight& weight, const Visit& visit) {
  for (size_t i = 0; i + 1 < n; i += kDensitySegment) {
    const size_t j = std::min(i + kDensitySegment, n - 1);
    const double len = x(j) - x(i);
    if (!(len > 0.0)) continue;
    const double cube = weight(i, j) * len * len;
    visit(i, j, len, kEstimate ? estimate_cbrt(cube) : std::cbrt(cube));
  }
}

}  // namespace ipaq::asq
