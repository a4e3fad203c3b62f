#include "lib/codecs/rabitq_codec.h"

#include <algorithm>
#include <cmath>

#include "lib/codecs/bit_packing.h"
#include "lib/codecs/codec_spec.h"
#include "lib/codecs/rabitq_search.h"
#include "lib/core/error.h"

namespace ipaq {

RaBitQCodec::RaBitQCodec(const CodecSpec& spec, size_t d, const CodecOptions& options)
    : RotatedCodec(spec, d, options), fast_(spec.has_variant('f')) {
  Segment& s = add_segment(rotated_dim(), 1, spec.bits);
  const int levels = 1 << spec.bits;
  for (int i = 0; i < levels; ++i) s.codebooks.push_back(static_cast<float>(i) - 0.5f * (levels - 1));
  finalize_layout();
  if (fast_ && spec.bits > 1) fast_t_scale_ = mean_optimal_t_scale(derive_seed(options.seed, 0x5261426974ULL));
}

void RaBitQCodec::magnitude_codes(const float* abs_u, double t_scale, uint16_t* k) const {
  const size_t D = rotated_dim();
  const int top = (1 << (spec().bits - 1)) - 1;  // largest magnitude code
  if (t_scale > 0) {
    const double t = t_scale * std::sqrt(static_cast<double>(D));
    for (size_t i = 0; i < D; ++i) k[i] = static_cast<uint16_t>(std::min<double>(std::floor(t * abs_u[i]), top));
    return;
  }
  // Exact: the cosine changes only when t crosses k/|u_i| (lib/codecs/rabitq_search.h).
  rabitq_rescale_search(abs_u, D, top, k);
}

double RaBitQCodec::mean_optimal_t_scale(uint64_t seed) const {
  // Optimal t of the exact search, measured as t / sqrt(D) on random unit vectors (their |u_i| ~ 1/sqrt(D)).
  const size_t D = rotated_dim();
  const int samples = 8;
  Rng rng(seed);
  std::vector<float> abs_u(D);
  std::vector<uint16_t> k(D);
  double sum = 0;
  for (int s = 0; s < samples; ++s) {
    double norm_sq = 0;
    for (float& v : abs_u) {
      v = static_cast<float>(std::fabs(rng.normal()));
      norm_sq += static_cast<double>(v) * v;
    }
    for (float& v : abs_u) v = static_cast<float>(v / std::sqrt(norm_sq));
    magnitude_codes(abs_u.data(), 0.0, k.data());
    // The optimal prefix corresponds to t in [max_i k_i/|u_i|, min_i (k_i+1)/|u_i|); take its midpoint.
    double lo = 0, hi = INFINITY;
    const int top = (1 << (spec().bits - 1)) - 1;
    for (size_t i = 0; i < D; ++i) {
      if (abs_u[i] <= 0) continue;
      lo = std::max(lo, k[i] / static_cast<double>(abs_u[i]));
      if (k[i] < top) hi = std::min(hi, (k[i] + 1) / static_cast<double>(abs_u[i]));
    }
    sum += (std::isfinite(hi) ? 0.5 * (lo + hi) : lo) / std::sqrt(static_cast<double>(D));
  }
  return sum / samples;
}

namespace {
// 1-bit RaBitQ of R rows: fields = [u_i >= 0], uc = Σ_i u_i·(±1/2) in double in index order per row
// (quantize()'s general loop with the codebook {−1/2, +1/2}). Each product is exact, and u_i·(±1/2) =
// |u_i|·(1/2) except for u_i = −0 (−0 instead of +0, which leaves a sum that starts at +0 unchanged), so
// the sums are the same bits; R rows interleave R independent addition chains.
template <size_t R>
void sign_codes(const float* const* u, size_t D, uint16_t* const* fields, double* uc) {
  for (size_t r = 0; r < R; ++r)
    for (size_t i = 0; i < D; ++i) fields[r][i] = u[r][i] >= 0 ? 1 : 0;
  double acc[R] = {};
  for (size_t i = 0; i < D; ++i)
    for (size_t r = 0; r < R; ++r) acc[r] += static_cast<double>(std::fabs(u[r][i])) * 0.5;
  for (size_t r = 0; r < R; ++r) uc[r] = acc[r];
}

float unbiased_scale(double uc) { return uc > 0 ? static_cast<float>(1.0 / uc) : 0.0f; }
}  // namespace

void RaBitQCodec::quantize_block(size_t m, const float* u, Rng* rngs, Quantized* q) const {
  if (spec().bits != 1) {
    RotatedCodec::quantize_block(m, u, rngs, q);
    return;
  }
  const size_t D = rotated_dim();
  constexpr size_t R = 8;
  size_t v = 0;
  for (; v + R <= m; v += R) {
    const float* rows[R];
    uint16_t* fields[R];
    for (size_t r = 0; r < R; ++r) {
      rows[r] = u + (v + r) * D;
      fields[r] = q[v + r].fields[0].data();
    }
    double uc[R];
    sign_codes<R>(rows, D, fields, uc);
    for (size_t r = 0; r < R; ++r) q[v + r].scales[0] = unbiased_scale(uc[r]);
  }
  for (; v < m; ++v) quantize(u + v * D, rngs[v], q[v]);
}

void RaBitQCodec::quantize(const float* u, Rng& rng, Quantized& q) const {
  (void)rng;
  const size_t D = rotated_dim();
  if (spec().bits == 1) {
    uint16_t* fields = q.fields[0].data();
    double uc;
    sign_codes<1>(&u, D, &fields, &uc);
    q.scales[0] = unbiased_scale(uc);
    return;
  }
  const int half = 1 << (spec().bits - 1);
  thread_local std::vector<float> abs_u;  // per-thread scratch: no allocation per vector
  thread_local std::vector<uint16_t> k;
  abs_u.resize(D);
  for (size_t i = 0; i < D; ++i) abs_u[i] = std::fabs(u[i]);
  k.assign(D, 0);
  if (spec().bits > 1) magnitude_codes(abs_u.data(), fast_ ? fast_t_scale_ : 0.0, k.data());
  // Grid index: level (idx − (2^b−1)/2) = ±(k + 1/2)  <=>  idx = half + k (u >= 0) or half − 1 − k.
  double uc = 0;
  for (size_t i = 0; i < D; ++i) {
    const uint16_t idx = u[i] >= 0 ? static_cast<uint16_t>(half + k[i]) : static_cast<uint16_t>(half - 1 - k[i]);
    q.fields[0][i] = idx;
    uc += static_cast<double>(u[i]) * segment(0).codebooks[idx];
  }
  q.scales[0] = unbiased_scale(uc);
}

bool RaBitQCodec::ip_error_bound(const QueryState& qs, size_t n, const uint8_t* codes, float* bound) const {
  if (centered()) return false;  // the code stores ‖x‖, not the ‖x − μ‖ the bound needs
  const size_t D = rotated_dim();
  const Segment& s = segment(0);
  const double q_norm = std::sqrt(static_cast<double>(qs.query_norm_sq));
  const double per_dim = kBoundEpsilon / std::sqrt(std::max<double>(1.0, static_cast<double>(D) - 1.0));
  std::vector<uint16_t> fields(D);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* code = codes + i * code_size();
    const double norm = stored_norm(code), scale = stored_scale(code, 0);
    if (norm <= 0 || scale <= 0) {
      bound[i] = 0.0f;
      continue;
    }
    unpack_fields(code + s.byte_offset, D, s.elem_bits, fields.data());
    double cc = 0;
    for (size_t j = 0; j < D; ++j) cc += static_cast<double>(s.codebooks[fields[j]]) * s.codebooks[fields[j]];
    // scale = ‖x‖/⟨ĉ,u⟩  =>  ⟨ō,u⟩ = ‖x‖/(scale·‖ĉ‖).
    const double cosine = std::min(1.0, norm / (scale * std::sqrt(cc)));
    bound[i] = static_cast<float>(norm * q_norm * std::sqrt(1.0 - cosine * cosine) / cosine * per_dim);
  }
  return true;
}

void RaBitQCodec::serialize_extra(ByteWriter& w) const { w.put<double>(fast_t_scale_); }

void RaBitQCodec::deserialize_extra(ByteReader& r) {
  fast_t_scale_ = r.get<double>();
  IPAQ_CHECK_FORMAT(std::isfinite(fast_t_scale_) && fast_t_scale_ >= 0, r.context(), ": ", spec().text,
                    ": invalid rescale constant");
}

void check_rabitq_spec(const CodecSpec& spec) { check_codec_spec(spec, "f"); }

std::unique_ptr<Codec> make_rabitq_codec(const CodecSpec& spec, size_t d, const CodecOptions& options) {
  return std::make_unique<RaBitQCodec>(spec, d, options);
}

}  // namespace ipaq
