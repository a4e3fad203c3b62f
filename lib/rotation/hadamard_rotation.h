// Randomized Hadamard rotation: Π = Π_r ... Π_1 with Π_k = H D_k / sqrt(D), D_k a diagonal of random
// ±1 signs drawn from Rng(derive_seed(seed, k)), H the Walsh–Hadamard matrix, D = next power of two
// >= d (inputs are zero-padded). See lib/rotation/rotation.h for the contract.
#pragma once

#include <vector>

#include "lib/rotation/rotation.h"

namespace ipaq {

class HadamardRotation final : public Rotation {
 public:
  static constexpr int kDefaultRounds = 3;
  HadamardRotation(size_t d, uint64_t seed, int rounds = kDefaultRounds);

  RotationKind kind() const override { return RotationKind::kHadamard; }
  int rounds() const { return rounds_; }
  void apply(const float* x, float* y) const override;
  void apply_transpose(const float* y, float* x) const override;

 protected:
  void serialize_state(ByteWriter& w) const override;

 private:
  int rounds_;
  std::vector<float> signs_;  // rounds_ * rotated_dim() values in {-1, +1}
  float scale_;               // D^(-rounds/2): makes the product orthonormal
};

}  // namespace ipaq
