#include "lib/codecs/turboquant_prod_codec.h"

#include <cmath>
#include <numbers>

#include "lib/codecs/codec_spec.h"
#include "lib/codecs/lloyd_max.h"
#include "lib/codecs/scalar_levels.h"
#include "lib/core/error.h"
#include "lib/rotation/gaussian_sketch.h"

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
  const bool gaussian = !spec.has_variant('h');
  Segment& mse = add_segment(D, 1, spec.bits - 1);
  for (double level : lloyd_max_sphere_coordinate(spec.bits - 1, D)) mse.codebooks.push_back(static_cast<float>(level));
  Segment& qjl = add_segment(D, 1, 1);
  qjl.codebooks = {-1.0f, 1.0f};
  const uint64_t qjl_seed = derive_seed(options.seed, 0x514a4cULL);
  if (gaussian) {
    IPAQ_CHECK_ARG(D <= GaussianSketch::kMaxDim, "codec '", spec.text, "': the Gaussian QJL sketch is dense (D = ", D,
                   " > ", GaussianSketch::kMaxDim, "); use TQP", spec.bits, "h (Hadamard sketch)");
    qjl.domain = std::make_unique<GaussianSketch>(D, qjl_seed);
  } else {
    qjl.domain = make_rotation(spec.rotation, D, qjl_seed);
  }
  IPAQ_CHECK_ARG(qjl.domain->rotated_dim() == D, spec.text, ": QJL sketch must be square");
  finalize_layout();
  on_codebooks_changed();
  qjl_constant_ = gaussian ? std::sqrt(std::numbers::pi / 2) / static_cast<double>(D)
                           : 1.0 / (static_cast<double>(D) * mean_abs_sphere_coordinate(D));
}

void TurboQuantProdCodec::on_codebooks_changed() {
  mse_levels_ = ScalarLevels(segment(0).codebooks);
  // Deserialization replaces the domain: re-point the sketch.
  sketch_ = dynamic_cast<const GaussianSketch*>(segment(1).domain.get());
}

double TurboQuantProdCodec::quantize_mse(const float* u, Quantized& q, float* residual) const {
  double residual_sq = 0;
  for (size_t i = 0; i < rotated_dim(); ++i) {
    const uint16_t idx = mse_levels_.nearest(u[i]);
    q.fields[0][i] = idx;
    residual[i] = u[i] - mse_levels_.level(idx);
    residual_sq += static_cast<double>(residual[i]) * residual[i];
  }
  return std::sqrt(residual_sq);
}

void TurboQuantProdCodec::finish_qjl(const float* projected, double residual_norm, Quantized& q) const {
  for (size_t i = 0; i < rotated_dim(); ++i) q.fields[1][i] = projected[i] > 0 ? 1 : 0;
  q.scales[0] = 1.0f;
  q.scales[1] = static_cast<float>(residual_norm * qjl_constant_);
}

void TurboQuantProdCodec::quantize(const float* u, Rng& rng, Quantized& q) const {
  (void)rng;
  const size_t D = rotated_dim();
  std::vector<float> residual(D), projected(D);
  const double norm = quantize_mse(u, q, residual.data());
  segment(1).domain->apply(residual.data(), projected.data());
  finish_qjl(projected.data(), norm, q);
}

void TurboQuantProdCodec::quantize_block(size_t m, const float* u, Rng* rngs, Quantized* q) const {
  if (sketch_ == nullptr) {  // Hadamard sketch: O(D log D) per vector, nothing to batch
    RotatedCodec::quantize_block(m, u, rngs, q);
    return;
  }
  const size_t D = rotated_dim();
  std::vector<float> residuals(m * D), projected(m * D);
  std::vector<double> norms(m);
  for (size_t v = 0; v < m; ++v) norms[v] = quantize_mse(u + v * D, q[v], residuals.data() + v * D);
  sketch_->apply_block(m, residuals.data(), projected.data());  // one pass over S for the whole block
  for (size_t v = 0; v < m; ++v) finish_qjl(projected.data() + v * D, norms[v], q[v]);
}

void check_turboquant_prod_spec(const CodecSpec& spec) {
  check_codec_spec(spec, "h");
  IPAQ_CHECK_ARG(spec.bits >= 2, "codec '", spec.text, "': TurboQuant_prod needs b >= 2 ((b−1)-bit MSE + 1-bit QJL)");
}

std::unique_ptr<Codec> make_turboquant_prod_codec(const CodecSpec& spec, size_t d, const CodecOptions& options) {
  return std::make_unique<TurboQuantProdCodec>(spec, d, options);
}

}  // namespace ipaq
