#include "lib/codecs/blocksphere_codec.h"

#include <algorithm>

#include "lib/codecs/blocksphere_search.h"
#include "lib/codecs/codec_spec.h"
#include "lib/codecs/sphere_block_codebook.h"
#include "lib/core/error.h"

namespace ipaq {

BlockSphereCodec::BlockSphereCodec(const CodecSpec& spec, size_t d, const CodecOptions& options)
    : RotatedCodec(spec, d, options), rule_(spec.has_variant('b') ? ScaleRule::kLeastMse : ScaleRule::kUnbiased) {
  const size_t D = rotated_dim(), p = static_cast<size_t>(spec.block);
  IPAQ_CHECK_ARG(D % p == 0, "codec '", spec.text, "': block length ", p, " does not divide the rotated dimension ", D);
  Segment& s = add_segment(D / p, p, spec.bits * spec.block);
  // The codebook is data-oblivious and shared by every seed: the rotation seed randomizes the codec.
  s.codebooks = sphere_block_codebook(spec.bits, p, D, kCodebookSeed);
  finalize_layout();
  on_codebooks_changed();
}

void BlockSphereCodec::on_codebooks_changed() {
  const Segment& s = segment(0);
  const size_t K = size_t{1} << s.elem_bits, p = s.elem_dim;
  transposed_.assign(K * p, 0.0f);
  half_norms_.assign(K, 0.0f);
  for (size_t c = 0; c < K; ++c)
    for (size_t k = 0; k < p; ++k) {
      const float v = s.codebooks[c * p + k];
      transposed_[k * K + c] = v;
      half_norms_[c] += 0.5f * v * v;
    }
}

void BlockSphereCodec::quantize(const float* u, Rng& rng, Quantized& q) const {
  (void)rng;
  const Segment& s = segment(0);
  const size_t D = rotated_dim(), p = s.elem_dim, K = size_t{1} << s.elem_bits;
  blocksphere_nearest(u, s.n_elems, p, transposed_.data(), half_norms_.data(), K, q.fields[0].data());
  std::vector<float> c(D);
  for (size_t e = 0; e < s.n_elems; ++e)
    for (size_t k = 0; k < p; ++k) c[e * p + k] = s.codebooks[q.fields[0][e] * p + k];
  q.scales[0] = per_vector_scale(rule_, u, c.data(), D);
}

void check_blocksphere_spec(const CodecSpec& spec) {
  IPAQ_CHECK_ARG(spec.block == 2 || spec.block == 4 || spec.block == 8, "codec '", spec.text,
                 "': BlockSphere needs a block length x2, x4 or x8");
  IPAQ_CHECK_ARG(spec.bits >= 1 && spec.bits * spec.block <= 8, "codec '", spec.text, "': b·p = ",
                 spec.bits * spec.block, " exceeds 8 bits (256 codewords) or b < 1");
  check_codec_spec(spec, "b", /*allow_block=*/true);
}

std::unique_ptr<Codec> make_blocksphere_codec(const CodecSpec& spec, size_t d, const CodecOptions& options) {
  return std::make_unique<BlockSphereCodec>(spec, d, options);
}

}  // namespace ipaq
