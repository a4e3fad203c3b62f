// Synthetic inputs for ASQ experiments (the `ipaq asq --dist` option and bench/asq), deterministic
// per seed via ipaq::Rng:
//   lognormal    exp(N(0, 1))
//   normal       N(0, 1)
//   exponential  Exp(1)
//   truncnorm    N(0, 1) conditioned on [−1, 1] (rejection sampling)
//   weibull      Weibull(shape 2, scale 1) = sqrt(Exp(1))
// Returns d unsorted doubles. Throws InvalidArgument on an unknown name or d == 0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ipaq::asq {

std::vector<double> sample_distribution(const std::string& name, size_t d, uint64_t seed);

}  // namespace ipaq::asq
