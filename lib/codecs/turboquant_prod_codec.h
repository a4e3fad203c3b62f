// TurboQuant_prod (Zandieh et al. 2025): an unbiased inner-product codec.
//
//   TQP{b}   (b−1)-bit TurboQuant_mse of the unit rotated vector u (codewords ĉ, Lloyd–Max levels of the
//            sphere-coordinate law), then the residual r = u − ĉ coded by the paper's 1-bit QJL: the signs
//            of S r, S a dense D × D matrix of i.i.d. N(0, 1) entries (lib/rotation/gaussian_sketch.h,
//            seed derived from the codec seed), and γ = ‖r‖. Estimate (times ‖x‖):
//                ⟨Πq, ĉ⟩ + sqrt(π/2)/D · γ · ⟨S Πq, sign(S r)⟩,
//            unbiased by theorem: E[⟨s, q⟩ sign⟨s, r⟩] = sqrt(2/π)·⟨q, r⟩/‖r‖ for s ~ N(0, I). Decode
//            returns ĉ + sqrt(π/2)/D · γ · S^T sign(S r) (its expectation over S is u). O(D²) per vector
//            (encode sketches blocks of vectors with one pass over S, AVX2 kernel), D <= 2048.
//   TQP{b}h  the former structured QJL: sign(R r) with R a second randomized-Hadamard rotation (or Haar
//            with "_haar"), scale γ/(D·m_D), m_D = E|w_1| for w uniform on S^(D−1)
//                                          = Γ(D/2) / (sqrt(π) Γ((D+1)/2)).
//            Exactly unbiased only for a Haar R; with 3 Hadamard rounds it is APPROXIMATELY unbiased
//            (measured in the tests, not proven). O(D log D) per vector and any D.
// b ∈ {2, 3, 4, 8}. code_size = ceil(D(b−1)/8) + D/8 (+ padding) + 12 bytes (‖x‖, 1, γ-factor).
// LUT form: two groups (MSE part, QJL signs), each with its own per-vector scale.
#pragma once

#include <memory>

#include "lib/codecs/rotated_codec.h"
#include "lib/codecs/scalar_levels.h"

namespace ipaq {

class GaussianSketch;

class TurboQuantProdCodec final : public RotatedCodec {
 public:
  TurboQuantProdCodec(const CodecSpec& spec, size_t d, const CodecOptions& options);

 protected:
  void quantize(const float* u, Rng& rng, Quantized& q) const override;
  void quantize_block(size_t m, const float* u, Rng* rngs, Quantized* q) const override;
  void on_codebooks_changed() override;

 private:
  // MSE part of one vector: fields[0], the residual r (D floats); returns ‖r‖.
  double quantize_mse(const float* u, Quantized& q, float* residual) const;
  void finish_qjl(const float* projected, double residual_norm, Quantized& q) const;

  ScalarLevels mse_levels_;
  double qjl_constant_;                    // sqrt(π/2)/D (Gaussian) or 1/(D·m_D) (Hadamard)
  const GaussianSketch* sketch_ = nullptr;  // segment 1's domain when Gaussian
};

void check_turboquant_prod_spec(const CodecSpec& spec);
std::unique_ptr<Codec> make_turboquant_prod_codec(const CodecSpec& spec, size_t d, const CodecOptions& options);

}  // namespace ipaq
