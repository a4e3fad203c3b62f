// The data-oblivious BlockSphere codebook: K = 2^(b·p) codewords in R^p fitted by k-means to blocks of p
// consecutive coordinates of uniform random unit vectors in R^D (the law of a block of a randomly
// rotated unit vector, ≈ N(0, I_p/D)).
//
// Training: n = max(64·K, 2^20/K) block samples (from ⌈n·p/D⌉ sphere points), 20 Lloyd iterations from
// the product codebook of the b-bit Lloyd–Max levels of one coordinate (the EDEN/TurboQuant grid).
// Lloyd iterations never increase the sample MSE, so the result is at least as good as the scalar grid
// on the samples, up to sampling noise. An emptied cluster takes a fresh random sample. Deterministic
// in (b, p, D, seed); memoised per process (thread-safe). Cost ≈ n·K·p·20 flops (0.7 G for K = 256,
// p = 8). Returns K·p floats, codeword-major; codeword c has coordinate k = level (c >> b·k) & (2^b − 1)
// before training. b·p in [1, 8], p >= 1, p divides D.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ipaq {

std::vector<float> sphere_block_codebook(int bits_per_coordinate, size_t p, size_t D, uint64_t seed);

// Index of the codeword nearest to x (p floats) among `count` codewords (count * p floats).
uint32_t nearest_codeword(const float* codebook, size_t count, size_t p, const float* x);

}  // namespace ipaq
