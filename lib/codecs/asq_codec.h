// AsqCodec: rotation + adaptive stochastic quantization (ASQ) levels from lib/asq (DESIGN.md §2).
//
//   ASQ{b}[n][m|w][k|v]   b ∈ {1, 2, 3, 4, 8} bits per rotated coordinate; variant letters:
//       (none)  unbiased stochastic rounding (E[û] = u, so inner-product estimates are unbiased inside
//               the levels' range), levels minimising the summed rounding variance (objective "mse").
//       n       nearest rounding instead (biased, lower MSE).
//       m       worst-case objective: levels minimising the maximum per-coordinate variance ("MDV").
//       w       workload-weighted objective: rotated coordinate j weighs w_j = E_q[(Πq)_j²], the second
//               moment of sample queries given by set_query_workload() BEFORE train() (or before encode
//               for "v"); the levels minimise Σ_j w_j Var(û_j) = the expected inner-product variance
//               E_q Var⟨Πq, û⟩ over that workload. Without a workload, train()/encode() throw StateError.
//               set_query_workload() on a trained shared-level codec drops its levels (train again).
//       k       one level set per block of kBlock = 128 rotated coordinates pooled across the training
//               vectors, instead of one shared set for all coordinates.
//       v       per-vector levels: each vector gets its own 2^b levels from the exact solver
//               (asq::solve, or the MDV solver with "m") on its own rotated, normalised coordinates.
//               The levels are side information stored in the code as float16 (2·2^b bytes): half the
//               bytes of float32, and exact unbiasedness is kept because the solver's levels are first
//               moved to half-representable values (end levels rounded outwards, so they still cover
//               every coordinate; interior levels to nearest) and the coordinates are then rounded to
//               exactly those stored levels. Relative level perturbation <= 2^-11, far below the level
//               spacing at b <= 8. No training needed (except "_center"); no LUT form (lut_bits() = 0,
//               the index scores with estimate_ip). "vk" and "mw" are refused.
// Shared levels ("v" absent): the codec must be trained (train(n, x) on a sample; with "_center" the
// center is trained first): the sample's rotated unit vectors (at most kMaxTrainVectors of them) give
// the coordinate population (with their weights w_j under "w"), subsampled evenly in sorted order to at
// most kMaxSolvePoints values per solve. Values outside the trained range are clamped to the end levels
// (the only source of bias of the stochastic variant; with >= 10^5 pooled coordinates the range reaches
// ≈ 4.4σ, exceeded by a coordinate with probability ≈ 1e-5).
// code_size = ceil(D·b/8) + 8 bytes (+ 2·2^b with "v"). Levels and workload weights are part of the
// serialized state. Stochastic rounding draws from the per-vector stream of rotated_codec.h (codec
// seed + vector bytes).
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

  bool is_trained() const override;
  void set_query_workload(size_t nq, size_t d, const float* queries) override;
  bool uses_query_workload() const override { return weighted_; }
  void encode(size_t n, const float* x, uint8_t* codes) const override;
  // The per-rotated-coordinate workload weights (normalised to mean 1); empty without "w" or workload.
  const std::vector<double>& workload_weights() const { return weights_; }

 protected:
  void train_levels(size_t n, const float* x) override;
  void quantize(const float* u, Rng& rng, Quantized& q) const override;
  void serialize_extra(ByteWriter& w) const override;
  void deserialize_extra(ByteReader& r) override;

 private:
  // values/weights: a pool of (coordinate value, weight) pairs; weights all 1 without "w".
  std::vector<float> solve_levels(std::vector<std::pair<double, double>>& pool) const;
  void check_workload(const char* what) const;
  bool stochastic_, worst_case_, weighted_, per_block_, per_vector_;
  std::vector<double> weights_;  // rotated_dim() workload weights ("w"), empty until given
};

void check_asq_spec(const CodecSpec& spec);
std::unique_ptr<Codec> make_asq_codec(const CodecSpec& spec, size_t d, const CodecOptions& options);

}  // namespace ipaq
