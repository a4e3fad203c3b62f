// TurboQuant_prod (Zandieh et al. 2025): an unbiased inner-product codec.
//
//   TQP{b}   (b−1)-bit TurboQuant_mse of the unit rotated vector u (codewords ĉ, Lloyd–Max levels of the
//            sphere-coordinate law), then the residual r = u − ĉ coded by 1-bit QJL: the signs of R r,
//            with R a second, independent rotation of R^D (same kind as the main one, seed derived from
//            the codec seed), and γ = ‖r‖. Reconstruction in the rotated domain:
//                û = ĉ + γ/(D·m_D) · R^T sign(R r),   m_D = E|w_1| for w uniform on S^(D−1)
//                                                          = Γ(D/2) / (sqrt(π) Γ((D+1)/2)).
//            For R Haar, E[R^T sign(R r)] = D·m_D·r/γ, so E[û] = u: the inner-product estimate
//            ⟨Πq, ĉ⟩ + γ/(D m_D)·⟨RΠq, sign(Rr)⟩ (times ‖x‖) is unbiased. With the default randomized
//            Hadamard R it is unbiased up to how closely 3 Hadamard rounds mimic Haar (measured in the
//            tests). The paper's Gaussian S gives the same constant in the limit (sqrt(π/2)/sqrt(D)).
// b ∈ {2, 3, 4, 8}. code_size = ceil(D(b−1)/8) + D/8 (+ padding) + 12 bytes (‖x‖, 1, γ-factor).
// LUT form: two groups (MSE part, QJL signs), each with its own per-vector scale.
#pragma once

#include <memory>

#include "lib/codecs/rotated_codec.h"
#include "lib/codecs/scalar_levels.h"

namespace ipaq {

class TurboQuantProdCodec final : public RotatedCodec {
 public:
  TurboQuantProdCodec(const CodecSpec& spec, size_t d, const CodecOptions& options);

 protected:
  void quantize(const float* u, Rng& rng, Quantized& q) const override;
  void on_codebooks_changed() override { mse_levels_ = ScalarLevels(segment(0).codebooks); }

 private:
  ScalarLevels mse_levels_;
  double qjl_constant_;  // 1 / (D · m_D)
};

void check_turboquant_prod_spec(const CodecSpec& spec);
std::unique_ptr<Codec> make_turboquant_prod_codec(const CodecSpec& spec, size_t d, const CodecOptions& options);

}  // namespace ipaq
