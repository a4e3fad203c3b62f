// GaussianSketch: a dense D × D matrix S with i.i.d. N(0, 1) entries, drawn from Rng(seed) row by row
// (deterministic on every platform, regenerated from the seed when deserialized: nothing but the seed is
// stored). NOT orthogonal — it shares the Rotation interface so that a codec segment can use it as its
// domain map: apply() = S·x, apply_transpose() = S^T·y (dim() = rotated_dim() = D). Used as the QJL
// sketch of TurboQuant_prod (sign(S·r) and sqrt(π/2)/D·‖r‖·⟨S·q, sign(S·r)⟩ is an unbiased estimate of
// ⟨q, r⟩ by the Gaussian sign identity E[⟨s, q⟩·sign⟨s, r⟩] = sqrt(2/π)·⟨q, r⟩/‖r‖).
//
// Arithmetic: every output S_i·x is summed in the same fixed order — 8 float partial sums over the
// 8-aligned part, fused multiply-adds, a fixed pairwise reduction, then the tail — by the AVX2 kernel
// and by the portable one (std::fma), so results are bitwise identical across SIMD levels and batch
// compositions. apply_block() sketches m vectors at once (S read once per call: the encode hot path).
// Cost: O(D²) time per vector and D² floats of memory: D <= kMaxDim (16 MiB of matrix at D = 2048).
// Thread-safe after construction.
#pragma once

#include <vector>

#include "lib/rotation/rotation.h"

namespace ipaq {

class GaussianSketch final : public Rotation {
 public:
  static constexpr size_t kMaxDim = 2048;
  GaussianSketch(size_t D, uint64_t seed);

  RotationKind kind() const override { return RotationKind::kGaussianSketch; }
  void apply(const float* x, float* y) const override { apply_block(1, x, y); }
  void apply_transpose(const float* y, float* x) const override;
  // y (m × D) = x (m × D) · S^T, row-major.
  void apply_block(size_t m, const float* x, float* y) const;
  const float* matrix() const { return s_.data(); }

 protected:
  void serialize_state(ByteWriter& w) const override { (void)w; }

 private:
  std::vector<float> s_;  // D × D, row-major
};

namespace detail {
// y[v·rows + i] = S_i · x_v for i < rows, v < m (S: rows × D, row-major; x: m × D), arithmetic as above.
void gaussian_sketch_rows_portable(const float* S, size_t rows, size_t D, const float* x, size_t m, float* y);
void gaussian_sketch_rows_avx2(const float* S, size_t rows, size_t D, const float* x, size_t m, float* y);
}  // namespace detail

}  // namespace ipaq
