// LloydMaxCodec: every rotated coordinate of the unit vector → nearest level of a fixed Lloyd–Max
// codebook (b bits), plus one per-vector scale. Two registered families share it:
//
//   TQ{b}       TurboQuant_mse (Zandieh et al. 2025): levels for the exact law of a coordinate of a
//               uniform unit vector in R^D (lloyd_max_sphere_coordinate), scale 1. Biased for inner
//               products. Expected MSE on unit vectors ≈ 0.363, 0.117, 0.0345, 0.0095 for b = 1..4.
//   EDEN{b}     EDEN (Vargaftik et al. 2022): Lloyd–Max levels of N(0,1) on the rotated vector
//               normalised to ‖·‖² = D (equivalently levels/sqrt(D) on u), unbiased scale ‖u‖²/⟨u,ĉ⟩.
//   EDEN{b}b    same codes, least-MSE (biased) scale ⟨u,ĉ⟩/‖ĉ‖².
//
// b ∈ {1, 2, 3, 4, 8} (other values rejected). code_size = ceil(D·b/8) (+ sub-code padding) + 8 bytes
// (‖x‖ and the scale). LUT form: one group; see lib/codecs/rotated_codec.h.
#pragma once

#include <memory>

#include "lib/codecs/rotated_codec.h"
#include "lib/codecs/scalar_levels.h"

namespace ipaq {

class LloydMaxCodec final : public RotatedCodec {
 public:
  LloydMaxCodec(const CodecSpec& spec, size_t d, const CodecOptions& options, ScaleRule rule);

 protected:
  void quantize(const float* u, Rng& rng, Quantized& q) const override;
  bool quantize_uses_rng() const override { return false; }
  void on_codebooks_changed() override { levels_ = ScalarLevels(segment(0).codebooks); }

 private:
  ScaleRule rule_;
  ScalarLevels levels_;
};

void check_turboquant_mse_spec(const CodecSpec& spec);
void check_eden_spec(const CodecSpec& spec);
std::unique_ptr<Codec> make_turboquant_mse_codec(const CodecSpec& spec, size_t d, const CodecOptions& options);
std::unique_ptr<Codec> make_eden_codec(const CodecSpec& spec, size_t d, const CodecOptions& options);

}  // namespace ipaq
