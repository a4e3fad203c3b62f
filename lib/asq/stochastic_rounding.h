// Rounding of values to a sorted level set: unbiased stochastic rounding (E[x̂] = x,
// Var = (x↑ − x)(x − x↓)) or nearest rounding. Produces level indexes; decode maps them back.
//
// Levels must be sorted strictly increasing (checked); values outside [levels.front(), levels.back()]
// are clamped to the end levels (stochastic rounding is unbiased only inside the range). Deterministic
// given the Rng state. Not thread-safe per Rng.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "lib/core/random.h"

namespace ipaq::asq {

// idx[i] = index of the level x[i] is rounded to (stochastically, unbiased).
void round_stochastic(std::span<const float> x, std::span<const float> levels, Rng& rng,
                      std::span<uint16_t> idx);
// idx[i] = index of the nearest level.
void round_nearest(std::span<const float> x, std::span<const float> levels, std::span<uint16_t> idx);
// out[i] = levels[idx[i]]; throws InvalidArgument on an out-of-range index.
void decode_levels(std::span<const uint16_t> idx, std::span<const float> levels, std::span<float> out);

}  // namespace ipaq::asq
