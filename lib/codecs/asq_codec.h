// AsqCodec: rotation + adaptive stochastic quantization (ASQ) levels from lib/asq (DESIGN.md §2).
//
//   ASQ{b}[n][m][k]   b ∈ {1, 2, 3, 4, 8} bits per rotated coordinate; variant letters:
//       (none)  unbiased stochastic rounding (E[û] = u, so inner-product estimates are unbiased inside
//               the trained range), levels minimising the summed rounding variance (objective "mse").
//       n       nearest rounding instead (biased, lower MSE).
//       m       worst-case objective: levels minimising the maximum per-coordinate variance ("MDV").
//       k       one level set per block of kBlock = 128 rotated coordinates pooled across the training
//               vectors, instead of one shared set for all coordinates.
// The codec must be trained (train(n, x) on a sample; with "_center" the center is trained first): the sample's rotated unit vectors (at most
// kMaxTrainVectors of them) give the coordinate population, subsampled evenly in sorted order to at most
// kMaxSolvePoints values per solve. Values outside the trained range are clamped to the end levels (the
// only source of bias of the stochastic variant; with >= 10^5 pooled coordinates the range reaches
// ≈ 4.4σ, exceeded by a coordinate with probability ≈ 1e-5).
// Per-vector levels (side information per vector) are NOT offered: they would break the shared LUT form.
// code_size = ceil(D·b/8) + 8 bytes. The levels are part of the serialized state.
// Stochastic rounding draws from the per-vector stream of rotated_codec.h (codec seed + vector bytes).
#pragma once

#include <memory>

#include "lib/codecs/rotated_codec.h"

namespace ipaq {

class AsqCodec final : public RotatedCodec {
 public:
  static constexpr size_t kBlock = 128;
  static constexpr size_t kMaxTrainVectors = 2000;
  static constexpr size_t kMaxSolvePoints = size_t{1} << 18;

  AsqCodec(const CodecSpec& spec, size_t d, const CodecOptions& options);

 protected:
  void train_levels(size_t n, const float* x) override;
  void quantize(const float* u, Rng& rng, Quantized& q) const override;

 private:
  std::vector<float> solve_levels(std::vector<double>& values) const;
  bool stochastic_, worst_case_, per_block_;
};

void check_asq_spec(const CodecSpec& spec);
std::unique_ptr<Codec> make_asq_codec(const CodecSpec& spec, size_t d, const CodecOptions& options);

}  // namespace ipaq
