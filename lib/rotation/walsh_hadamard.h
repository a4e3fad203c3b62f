// In-place fast Walsh–Hadamard transform (unnormalized): y <- H_n y with H_n the n x n Sylvester
// Hadamard matrix (entries ±1, H_n H_n = n I). n must be a power of two (not checked: callers own the
// size). O(n log n) additions; float rounding error grows like log2(n) ulps of the largest partial sum.
//
// randomized_hadamard: the forward randomized Hadamard rotation in one call,
//     y = scale · H D_r ··· H D_1 · pad(x)      (D_k = diag(signs + k·n), entries ±1; pad: zeros to n),
// computed as `rounds` times (sign flip, walsh_hadamard_transform) and one final multiplication by
// `scale`. Dispatches on simd_level() (lib/core/simd_level.h); every level performs the same float
// operations on the same operands (each butterfly output is u + v or u − v of the same two values, in
// the same stage order), so the result is bit for bit identical at every level (tested). x: d floats,
// y: n floats (n = power of two >= d), signs: rounds·n values in {−1, +1}; x and y must not overlap.
#pragma once

#include <cstddef>

namespace ipaq {

void walsh_hadamard_transform(float* y, size_t n);

void randomized_hadamard(const float* x, size_t d, size_t n, const float* signs, int rounds, float scale,
                         float* y);

namespace detail {
// Portable, AVX2 and AVX-512 kernels of randomized_hadamard (the AVX2 one needs n >= 8; called only when
// simd_level() >= avx2).
void randomized_hadamard_portable(const float* x, size_t d, size_t n, const float* signs, int rounds,
                                  float scale, float* y);
void randomized_hadamard_avx2(const float* x, size_t d, size_t n, const float* signs, int rounds, float scale,
                              float* y);
// AVX-512 kernel (n >= 128; smaller n go to the AVX2 one); called only when simd_level() >= avx512.
void randomized_hadamard_avx512(const float* x, size_t d, size_t n, const float* signs, int rounds, float scale,
                                float* y);
}  // namespace detail

}  // namespace ipaq
