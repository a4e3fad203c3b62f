// BlockSphere ("BlockQuant", 2026): blocks of p rotated coordinates quantized to one shared,
// data-oblivious codebook of 2^(b·p) codewords (lib/codecs/sphere_block_codebook.h), plus one
// per-vector scale as in EDEN.
//
//   BSQ{b}x{p}    unbiased scale ‖u‖²/⟨u, ĉ⟩
//   BSQ{b}x{p}b   least-MSE scale ⟨u, ĉ⟩/‖ĉ‖²
//
// p ∈ {2, 4, 8}, b ∈ {1, 2, 3, 4} with b·p <= 8 (at most 256 codewords). p must divide the rotated
// dimension D (always true with the Hadamard rotation). Each block goes to its nearest codeword.
// code_size = ceil(D·b/8) + 8 bytes. LUT form: one sub-code per block (b·p = 4 → 16-entry tables,
// b·p = 8 → 256-entry tables; b·p = 2 packs two blocks per nibble, b·p = 6 is padded to 8 bits).
// The codebook is part of the serialized state.
#pragma once

#include <memory>

#include "lib/codecs/rotated_codec.h"

namespace ipaq {

class BlockSphereCodec final : public RotatedCodec {
 public:
  static constexpr uint64_t kCodebookSeed = 0x426c6f636b517541ULL;  // fixed: the codebook is data-oblivious
  BlockSphereCodec(const CodecSpec& spec, size_t d, const CodecOptions& options);

 protected:
  void quantize(const float* u, Rng& rng, Quantized& q) const override;
  void on_codebooks_changed() override;

 private:
  ScaleRule rule_;
  // Search layout of the codebook: transposed_[k * K + c] = coordinate k of codeword c, and
  // half_norms_[c] = ‖codeword c‖²/2, so argmin ‖x − c‖² = argmax ⟨x, c⟩ − ‖c‖²/2, a loop over c
  // that vectorizes (lib/codecs/blocksphere_search.h: AVX2 kernel, same indexes as the portable one).
  std::vector<float> transposed_, half_norms_;
};

void check_blocksphere_spec(const CodecSpec& spec);
std::unique_ptr<Codec> make_blocksphere_codec(const CodecSpec& spec, size_t d, const CodecOptions& options);

}  // namespace ipaq
