// Lloyd–Max scalar codebooks: the 2^bits levels minimising E[(X − Q(X))²] for a known law of X.
//
// Laws:
//   lloyd_max_gaussian(bits)            X ~ N(0, 1).
//   lloyd_max_sphere_coordinate(bits,D) X = one coordinate of a uniform random unit vector in R^D,
//                                       density ∝ (1 − t²)^((D−3)/2) on [−1, 1] (a scaled Beta law);
//                                       ≈ N(0, 1/D) for large D. Used for D >= 3; for D < 3 the
//                                       Gaussian levels scaled by 1/sqrt(D) are returned.
// Both are computed here (never pasted): the law is discretised into 2^16 cells of equal width over its
// effective support (±9σ, clipped to [−1, 1]), piecewise constant inside a cell, and Lloyd's fixed-point
// iteration (thresholds = midpoints, levels = conditional means, via prefix sums) runs to convergence
// (max level change < 1e-13·σ or 20000 iterations; O(2^bits) per iteration). The discretisation error of
// a level is O(cell width²) ≈ 1e-7 σ.
// Results are sorted ascending and symmetric about 0. bits in [1, 8] (InvalidArgument otherwise).
// Thread-safe (results are memoised under a mutex).
#pragma once

#include <cstddef>
#include <vector>

namespace ipaq {

std::vector<double> lloyd_max_gaussian(int bits);
std::vector<double> lloyd_max_sphere_coordinate(int bits, size_t D);

// Expected squared error E[(X − Q(X))²] of nearest-level quantization with `levels` for X ~ N(0, 1).
double gaussian_quantization_mse(const std::vector<double>& levels);

}  // namespace ipaq
