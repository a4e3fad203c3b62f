// In-place fast Walsh–Hadamard transform (unnormalized): y <- H_n y with H_n the n x n Sylvester
// Hadamard matrix (entries ±1, H_n H_n = n I). n must be a power of two (not checked: callers own the
// size). O(n log n) additions; float rounding error grows like log2(n) ulps of the largest partial sum.
#pragma once

#include <cstddef>

namespace ipaq {

void walsh_hadamard_transform(float* y, size_t n);

}  // namespace ipaq
