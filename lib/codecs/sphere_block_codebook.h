// The data-oblivious BlockSphere codebook: 2^bits codewords in R^p fitted by k-means to blocks of p
// consecutive coordinates of uniform random unit vectors in R^D (the law of a block of a randomly
// rotated unit vector, ≈ N(0, I_p/D)).
//
// Training: 32·2^bits block samples (from ⌈32·2^bits·p/D⌉ sphere points), initial centroids = the first
// 2^bits samples, 20 Lloyd iterations (an emptied cluster takes a fresh random sample). Deterministic in
// (bits, p, D, seed); results are memoised per process (thread-safe). Cost ≈ 32·4^bits·p·20 flops
// (0.34 G for bits = 8, p = 8). Returns 2^bits · p floats, codeword-major. bits in [1, 8], p >= 1, p divides D.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ipaq {

std::vector<float> sphere_block_codebook(int bits, size_t p, size_t D, uint64_t seed);

// Index of the codeword nearest to x (p floats) among `count` codewords (count * p floats).
uint32_t nearest_codeword(const float* codebook, size_t count, size_t p, const float* x);

}  // namespace ipaq
