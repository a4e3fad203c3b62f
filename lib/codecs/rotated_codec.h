// RotatedCodec: the machinery shared by every rotation-based codec (TurboQuant, EDEN, RaBitQ,
// BlockSphere, ASQ), written once: rotation, norm handling, code layout, bit packing, decode, the scalar
// reference estimator and the LUT form of lib/codecs/codec.h.
//
// Model. x (d floats) — minus the trained center μ for "_center" descriptors — is rotated to
// y = Π·pad(x − μ) (D = rotation->rotated_dim() floats) and normalised, u = y/‖y‖. A codec quantizes u into one or more SEGMENTS. Segment g has n_elems ELEMENTS; element e is
// a block of elem_dim consecutive coordinates of the segment's domain vector — u itself, or R_g·u for a
// segment with its own square domain rotation R_g (TurboQuant_prod's QJL part quantizes R_g·residual) —
// coded by an elem_bits-bit index into a codebook of 2^elem_bits vectors of elem_dim floats. Codebooks
// may differ per run of `elems_per_codebook` elements (ASQ per-block levels). Each segment has one
// per-vector scale s_g (set by the codec, then multiplied by ‖x‖). The reconstruction is
//     x̂ = μ + Π^T Σ_g s_g R_g^T c_g,   c_g = the concatenated codewords of segment g,
// so ⟨q, x̂⟩ = ⟨q, μ⟩ + Σ_g s_g ⟨R_g Π q, c_g⟩: a per-query constant plus per-element table lookups
// scaled per segment (μ = 0 without centering).
//
// Code layout (code_size() bytes per vector):
//     [segment 0 fields, LSB-first bit-packed, padded to whole LUT sub-codes and bytes]
//     [segment 0 per-vector codebook: 2^elem_bits·elem_dim float16, only if per_vector_codebook] ...
//     [float32 ‖x‖] [float32 s_0] ... [float32 s_{G−1}]          (little-endian)
// ‖x‖ is the norm of the input vector (for L2); the scales s_g include ‖x − μ‖.
//
// LUT form: none (lut_bits() = 0) if a segment has per-vector codebooks; else lut_bits() = 4 if every
// segment's elem_bits divides 4, else 8. A sub-code packs
// g = lut_bits / elem_bits consecutive elements (floor), i.e. it is the (g·elem_bits)-bit field at bit
// offset j·g·elem_bits of its segment (for 3 bits: 2 coordinates in a 6-bit field, table of 64 entries
// padded with zeros to 256). One LUT group per segment; finish = ⟨q, μ⟩ + Σ_g s_g · sum_g.
//
// Thread-safety: after construction (and train(), for trained codecs) all const methods may run
// concurrently. encode() runs an OpenMP loop over vectors (exceptions carried out).
// Errors: wrong sizes and non-finite input throw InvalidArgument (encode: the codes array is then
// partly written); codes whose stored factors are not
// finite throw FormatError ("foreign or corrupted code"); use before training throws StateError.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lib/codecs/codec.h"
#include "lib/codecs/codec_spec.h"
#include "lib/core/random.h"
#include "lib/rotation/rotation.h"

namespace ipaq {

class RotatedCodec : public Codec {
 public:
  std::string descriptor() const override { return spec_.text; }
  size_t code_size() const override { return code_size_; }
  size_t rotated_dim() const { return rotation_->rotated_dim(); }
  const Rotation& rotation() const { return *rotation_; }
  uint64_t seed() const { return seed_; }
  CodecOptions options() const override { return CodecOptions{seed_}; }

  bool is_trained() const override;
  // Trains the center (for "_center") and then the codec's own levels (train_levels).
  void train(size_t n, const float* x) override;
  bool centered() const { return spec_.center; }
  void encode(size_t n, const float* x, uint8_t* codes) const override;
  void decode(size_t n, const uint8_t* codes, float* x) const override;
  std::unique_ptr<QueryState> prepare_query(const float* q) const override;
  void estimate_ip(const QueryState& qs, size_t n, const uint8_t* codes, float* out) const override;
  float stored_norm_sq(const uint8_t* code) const override;

  int lut_bits() const override { return lut_bits_; }
  size_t lut_nsub() const override { return lut_group_begin_.back(); }
  std::vector<size_t> lut_group_begin() const override { return lut_group_begin_; }
  void extract_sub_codes(size_t n, const uint8_t* codes, uint8_t* sub) const override;
  // Side bytes = [float32 ‖x‖][float32 s_0] ... (the factors); everything before them is sub-codes.
  size_t lut_side_offset() const override { return lut_bits_ != 0 ? factors_offset_ : code_size_; }
  void assemble_codes(size_t n, const uint8_t* sub, const uint8_t* side, size_t side_stride,
                      uint8_t* codes) const override;
  using Codec::finish_lut_sums;
  void finish_lut_sums(const QueryState& qs, size_t n, const uint8_t* side, size_t side_stride, const float* sums,
                       float* out) const override;
  float side_norm_sq(const uint8_t* side) const override;
  void side_norms_sq(size_t n, const uint8_t* side, size_t side_stride, float* out) const override;

 protected:
  struct Segment {
    size_t n_elems = 0;
    size_t elem_dim = 1;
    int elem_bits = 0;
    size_t elems_per_codebook = 0;     // 0 = one codebook for all elements
    // Per-vector codebook: each code carries its own 2^elem_bits × elem_dim codewords as float16 side
    // information (quantize() fills Quantized::codebooks[g] with half-representable values); the
    // segment's shared `codebooks` stays empty and the codec has no LUT form (lut_bits() = 0).
    bool per_vector_codebook = false;
    std::vector<float> codebooks;      // n_codebooks * 2^elem_bits * elem_dim; empty until trained
    std::unique_ptr<Rotation> domain;  // square rotation of R^D, or null for the identity
    // Layout, set by finalize_layout():
    size_t elems_per_sub = 0, n_sub = 0, byte_offset = 0, n_bytes = 0;
    size_t side_offset = 0, side_bytes = 0;  // per-vector codebook (float16), after the fields

    size_t n_codebooks() const;
    const float* codeword(size_t elem, uint32_t index) const;
  };

  // What quantize() produces for one vector: field indexes per segment and per-segment scales
  // (relative to the unit vector u; the base multiplies them by ‖x‖).
  struct Quantized {
    std::vector<std::vector<uint16_t>> fields;
    std::vector<float> scales;
    std::vector<std::vector<float>> codebooks;  // per-vector codebooks (empty for shared-codebook segments)
  };

  RotatedCodec(const CodecSpec& spec, size_t d, const CodecOptions& options);

  // Derived constructors add their segments, then call finalize_layout().
  Segment& add_segment(size_t n_elems, size_t elem_dim, int elem_bits);
  void finalize_layout();
  Segment& segment(size_t g) { return segments_[g]; }
  const Segment& segment(size_t g) const { return segments_[g]; }
  size_t n_segments() const { return segments_.size(); }
  const CodecSpec& spec() const { return spec_; }

  // Quantizes the unit rotated vector u (D floats, ‖u‖ = 1) into q (pre-sized: fields[g] has
  // n_elems entries, scales has one entry per segment). `rng` is seeded from the codec seed and the
  // vector's bytes (for stochastic rounding). Called concurrently on distinct q.
  virtual void quantize(const float* u, Rng& rng, Quantized& q) const = 0;
  // Quantizes m unit rotated vectors at once (u: m × D row-major; rngs and q: m each, as for quantize()).
  // encode() passes blocks of up to kQuantizeBlock non-zero vectors. Default: quantize() per row.
  // Overridden where a batched step pays (TurboQuant_prod's dense Gaussian sketch); a row's result must
  // not depend on the other rows of the block.
  virtual void quantize_block(size_t m, const float* u, Rng* rngs, Quantized* q) const;
  static constexpr size_t kQuantizeBlock = 32;
  // False if quantize()/quantize_block() never draw from their Rng (deterministic rounding): encode()
  // then skips hashing each vector for its seed (the Rng passed is seeded with 0).
  virtual bool quantize_uses_rng() const { return true; }

  // Codec-specific training on the sample (after the center is set); default: nothing to train.
  virtual void train_levels(size_t n, const float* x) { (void)n; (void)x; }
  // y = Π·pad(x − μ): the rotated vector the codec quantizes (before normalisation). y: D floats.
  void rotate_centered(const float* x, float* y) const;

  // Called after segment codebooks were replaced (deserialization), so codecs can rebuild lookups.
  virtual void on_codebooks_changed() {}

  // Codec-specific serialized state after the shared part (codebooks and rotations are shared).
  virtual void serialize_extra(ByteWriter& w) const { (void)w; }
  virtual void deserialize_extra(ByteReader& r) { (void)r; }

  // Reconstructs segment g's domain vector c_g (D floats) from its unpacked fields.
  // `code` supplies the per-vector codebook of such segments (ignored otherwise).
  void segment_codewords(size_t g, const uint8_t* code, const uint16_t* fields, float* c) const;
  // Segment g's codebook for one code: the shared one, or the code's float16 side information decoded
  // into `scratch`.
  const float* codebook_of(size_t g, const uint8_t* code, std::vector<float>& scratch) const;
  // Reads ‖x‖ and the scales stored in a code.
  float stored_norm(const uint8_t* code) const;
  float stored_scale(const uint8_t* code, size_t g) const;

 private:
  void serialize_payload(ByteWriter& w) const final;
  void deserialize_payload(ByteReader& r) final;
  void check_trained(const char* what) const;
  void build_lut(const std::vector<std::vector<float>>& domain_queries, std::vector<float>& lut) const;

  CodecSpec spec_;
  uint64_t seed_;
  std::unique_ptr<Rotation> rotation_;
  std::vector<Segment> segments_;
  std::vector<float> center_;  // d floats once trained; empty without "_center"
  size_t factors_offset_ = 0;
  size_t code_size_ = 0;
  int lut_bits_ = 0;
  std::vector<size_t> lut_group_begin_;
};

// Scale rules for codecs with one per-vector scale on a codeword vector ĉ of a unit vector u:
//   unit:       s = 1                (TurboQuant_mse: the codebook is already fitted to the law of u)
//   unbiased:   s = ‖u‖² / ⟨u, ĉ⟩   (⟨ŝĉ, u⟩ = ‖u‖²; unbiased for rotation-averaged inner products)
//   least-MSE:  s = ⟨u, ĉ⟩ / ‖ĉ‖²   (the projection of u on ĉ)
// Returns 0 when the denominator vanishes (ĉ ⟂ u or ĉ = 0).
enum class ScaleRule { kUnit, kUnbiased, kLeastMse };
float per_vector_scale(ScaleRule rule, const float* u, const float* c, size_t n);

}  // namespace ipaq
