// Dense Haar-random rotation: Q from the QR decomposition of a d x d matrix of i.i.d. N(0,1) entries
// (Rng(seed)), with columns multiplied by sign(R_jj) so that Q is exactly Haar distributed. D = d.
// Stored row-major as d*d floats (4 MiB at d = 1024) and serialized explicitly, so loading never depends
// on the QR implementation. See lib/rotation/rotation.h for the contract.
#pragma once

#include <vector>

#include "lib/rotation/rotation.h"

namespace ipaq {

class HaarRotation final : public Rotation {
 public:
  HaarRotation(size_t d, uint64_t seed);
  // Restores a serialized matrix (d*d floats, row-major); throws FormatError on a size mismatch.
  HaarRotation(size_t d, uint64_t seed, std::vector<float> matrix);

  RotationKind kind() const override { return RotationKind::kHaar; }
  void apply(const float* x, float* y) const override;
  void apply_transpose(const float* y, float* x) const override;

 protected:
  void serialize_state(ByteWriter& w) const override;

 private:
  std::vector<float> q_;  // d x d, row-major
};

}  // namespace ipaq
