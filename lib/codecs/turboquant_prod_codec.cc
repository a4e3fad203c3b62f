#include "lib/codecs/turboquant_prod_codec.h"

#include <cmath>
#include <numbers>

#include "lib/codecs/lloyd_max.h"
#include "lib/codecs/codec_spec.h"
#include "lib/codecs/scalar_levels.h"
#include "lib/core/error.h"

namespace ipaq {

namespace {
// E|w_1| for w uniform on the unit sphere of R^D.
double mean_abs_sphere_coordinate(size_t D) {
  const double n = static_cast<double>(D);
  return std::exp(std::lgamma(n / 2) - std::lgamma((n + 1) / 2)) / std::sqrt(std::numbers::pi);
}
}  // namespace

TurboQuantProdCodec::TurboQuantProdCodec(const CodecSpec& spec, size_t d, const CodecOptions& options)
    : RotatedCodec(spec, d, options) {
  const size_t D = rotated_dim();
  Segment& mse = add_segment(D, 1, spec.bits - 1);
  for (double level : lloyd_max_sphere_coordinate(spec.bits - 1, D)) mse.codebooks.push_back(static_cast<float>(level));
  Segment& qjl = add_segment(D, 1, 1);
  qjl.codebooks = {-1.0f, 1.0f};
  qjl.domain = make_rotation(spec.rotation, D, derive_seed(options.seed, 0x514a4cULL));
  IPAQ_CHECK_ARG(qjl.domain->rotated_dim() == D, spec.text, ": QJL rotation must be square");
  finalize_layout();
  on_codebooks_changed();
  qjl_constant_ = 1.0 / (static_cast<double>(D) * mean_abs_sphere_coordinate(D));
}

void TurboQuantProdCodec::quantize(const float* u, Rng& rng, Quantized& q) const {
  (void)rng;
  const size_t D = rotated_dim();
  std::vector<float> residual(D), projected(D);
  double residual_sq = 0;
  for (size_t i = 0; i < D; ++i) {
    const uint16_t idx = mse_levels_.nearest(u[i]);
    q.fields[0][i] = idx;
    residual[i] = u[i] - mse_levels_.level(idx);
    residual_sq += static_cast<double>(residual[i]) * residual[i];
  }
  segment(1).domain->apply(residual.data(), projected.data());
  for (size_t i = 0; i < D; ++i) q.fields[1][i] = projected[i] > 0 ? 1 : 0;
  q.scales[0] = 1.0f;
  q.scales[1] = static_cast<float>(std::sqrt(residual_sq) * qjl_constant_);
}

void check_turboquant_prod_spec(const CodecSpec& spec) {
  check_codec_spec(spec, "");
  IPAQ_CHECK_ARG(spec.bits >= 2, "codec '", spec.text, "': TurboQuant_prod needs b >= 2 ((b−1)-bit MSE + 1-bit QJL)");
}

std::unique_ptr<Codec> make_turboquant_prod_codec(const CodecSpec& spec, size_t d, const CodecOptions& options) {
  return std::make_unique<TurboQuantProdCodec>(spec, d, options);
}

}  // namespace ipaq
