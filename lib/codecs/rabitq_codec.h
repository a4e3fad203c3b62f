// RaBitQ (Gao & Long, SIGMOD 2024) and extended RaBitQ (SIGMOD 2025) behind the rotation codec machinery.
//
// The unit rotated vector u (D coordinates) is coded as a point ĉ of the b-bit grid
// {−(2^b−1)/2, …, −1/2, 1/2, …, (2^b−1)/2}^D; ō = ĉ/‖ĉ‖ is the quantized direction. b = 1 is the
// sign code. For b > 1, ĉ maximises the cosine ⟨ō, u⟩ over the grid points of the form
// sign(u_i)·(min(⌊t·|u_i|⌋, 2^(b−1)−1) + 1/2), t > 0:
//   RaBitQ{b}   exact search over t: the cosine changes only at the D·(2^(b−1)−1) critical values
//               t = k/|u_i|, radix-sorted, then scanned with O(1) updates (O(D·2^b) per vector,
//               lib/codecs/rabitq_search.h).
//   RaBitQ{b}f  fast mode: one constant t = c·sqrt(D), c = the mean optimal value over 8 random unit
//               vectors (computed at construction from the seed; serialized).
// Estimator (unbiased, per-vector factor s = ‖x‖/⟨ĉ, u⟩ stored in the code):
//   ⟨q, x⟩ ≈ ‖x‖·⟨ō, Πq⟩/⟨ō, u⟩ = s·⟨ĉ, Πq⟩.
// Error bound (ip_error_bound): ⟨ō, Πq⟩ = ⟨ō,u⟩⟨u,Πq⟩ + ⟨ō⊥, q⊥⟩ where ō⊥ is, under the random
// rotation, a uniform direction of norm sqrt(1−⟨ō,u⟩²) in the (D−1)-dim complement of u; hence
//   |err| ≈ ‖x‖·‖q⊥‖·sqrt(1−⟨ō,u⟩²)/⟨ō,u⟩ · |Z|/sqrt(D−1),  Z ~ N(0,1).
// With ‖q⊥‖ <= ‖q‖ and ε0 = kBoundEpsilon = 3, the bound ‖x‖‖q‖ sqrt(1−⟨ō,u⟩²)/⟨ō,u⟩ · ε0/sqrt(D−1)
// fails with probability <= P(|Z| > 3) ≈ 0.27 %.
// With "_center" no bound is reported (ip_error_bound returns false): the same analysis holds for x − μ,
// |err| ≲ ‖x − μ‖·‖q‖·sqrt(1−cos²)/cos · ε0/sqrt(D−1) with cos = ⟨ō,u⟩, but the code stores ‖x‖ (for L2)
// and s = ‖x − μ‖/⟨ĉ,u⟩ = ‖x − μ‖/(cos·‖ĉ‖): two unknowns (‖x − μ‖, cos) from one factor. From the code
// alone only the loose bound s·‖ĉ‖·‖q‖·ε0/sqrt(D−1) (sqrt(1−cos²) <= 1) follows, 1.7× too wide at 1 bit
// (cos ≈ 0.8) and ≈ 10× at 4 bits (cos ≈ 0.995); a tight bound needs ‖x − μ‖ as a third per-vector float
// (4 more bytes per code), not added.
// b ∈ {1, 2, 3, 4, 8}; code_size = ceil(D·b/8) + 8 bytes. LUT form: one group.
#pragma once

#include <memory>

#include "lib/codecs/rotated_codec.h"

namespace ipaq {

class RaBitQCodec final : public RotatedCodec {
 public:
  static constexpr double kBoundEpsilon = 3.0;

  RaBitQCodec(const CodecSpec& spec, size_t d, const CodecOptions& options);

  bool ip_error_bound(const QueryState& qs, size_t n, const uint8_t* codes, float* bound) const override;

 protected:
  void quantize(const float* u, Rng& rng, Quantized& q) const override;
  // 1 bit: eight rows at a time (their double sums interleaved; each row's sum in the order of quantize()).
  void quantize_block(size_t m, const float* u, Rng* rngs, Quantized* q) const override;
  bool quantize_uses_rng() const override { return false; }
  void serialize_extra(ByteWriter& w) const override;
  void deserialize_extra(ByteReader& r) override;

 private:
  // Magnitude codes k_i ∈ [0, 2^(b−1)) for |u|: exact search (t_scale <= 0) or fixed t = t_scale·sqrt(D).
  void magnitude_codes(const float* abs_u, double t_scale, uint16_t* k) const;
  double mean_optimal_t_scale(uint64_t seed) const;

  bool fast_;
  double fast_t_scale_ = 0.0;
};

void check_rabitq_spec(const CodecSpec& spec);
std::unique_ptr<Codec> make_rabitq_codec(const CodecSpec& spec, size_t d, const CodecOptions& options);

}  // namespace ipaq
