#include "lib/codecs/lloyd_max_codec.h"

#include <cmath>

#include "lib/codecs/lloyd_max.h"
#include "lib/codecs/scalar_levels.h"
#include "lib/core/error.h"

namespace ipaq {

namespace {
std::vector<float> to_float(const std::vector<double>& v, double scale) {
  std::vector<float> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = static_cast<float>(v[i] * scale);
  return out;
}
}  // namespace

LloydMaxCodec::LloydMaxCodec(const CodecSpec& spec, size_t d, const CodecOptions& options, ScaleRule rule)
    : RotatedCodec(spec, d, options), rule_(rule) {
  const size_t D = rotated_dim();
  Segment& s = add_segment(D, 1, spec.bits);
  s.codebooks = rule == ScaleRule::kUnit
                    ? to_float(lloyd_max_sphere_coordinate(spec.bits, D), 1.0)
                    : to_float(lloyd_max_gaussian(spec.bits), 1.0 / std::sqrt(static_cast<double>(D)));
  finalize_layout();
  on_codebooks_changed();
}

void LloydMaxCodec::quantize(const float* u, Rng& rng, Quantized& q) const {
  (void)rng;
  const size_t D = rotated_dim();
  levels_.nearest_n(u, D, q.fields[0].data());
  if (rule_ == ScaleRule::kUnit) {
    q.scales[0] = 1.0f;
    return;
  }
  thread_local std::vector<float> c;  // per-thread scratch: no allocation per vector
  c.resize(D);
  for (size_t i = 0; i < D; ++i) c[i] = levels_.level(q.fields[0][i]);
  q.scales[0] = per_vector_scale(rule_, u, c.data(), D);
}

void check_turboquant_mse_spec(const CodecSpec& spec) { check_codec_spec(spec, ""); }
void check_eden_spec(const CodecSpec& spec) { check_codec_spec(spec, "b"); }

std::unique_ptr<Codec> make_turboquant_mse_codec(const CodecSpec& spec, size_t d, const CodecOptions& options) {
  return std::make_unique<LloydMaxCodec>(spec, d, options, ScaleRule::kUnit);
}

std::unique_ptr<Codec> make_eden_codec(const CodecSpec& spec, size_t d, const CodecOptions& options) {
  return std::make_unique<LloydMaxCodec>(spec, d, options,
                                         spec.has_variant('b') ? ScaleRule::kLeastMse : ScaleRule::kUnbiased);
}

}  // namespace ipaq
