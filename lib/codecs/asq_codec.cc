#include "lib/codecs/asq_codec.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <span>

#include "lib/asq/asq_solver.h"
#include "lib/asq/stochastic_rounding.h"
#include "lib/codecs/codec_spec.h"
#include "lib/codecs/float16.h"
#include "lib/codecs/float_radix_sort.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq {

namespace {

// Solver levels -> 2^bits strictly increasing float levels covering [lo, hi] of the data: at least the
// distinct solver levels, padded above the top (never chosen). With `half`, every level is a float16
// value: the end levels rounded outwards, interior ones to nearest, collisions nudged up by one half ulp.
std::vector<float> to_float_levels(const std::vector<double>& solved, size_t s, bool half) {
  std::vector<float> levels;
  for (size_t i = 0; i < solved.size(); ++i) {
    float f = static_cast<float>(solved[i]);
    if (half) f = i == 0 ? half_round_down(f) : i + 1 == solved.size() ? half_round_up(f) : round_to_half(f);
    if (!levels.empty() && f <= levels.back()) {
      if (!half) continue;  // float rounding merged two levels: keep one
      f = half_next_up(levels.back());
    }
    levels.push_back(f);
  }
  // (With `half` the top level was rounded up and nudges only raise it: it still covers the data.)
  while (levels.size() < s) {
    const float top = levels.back();
    levels.push_back(half ? half_next_up(top) : top + std::max(1e-6f, std::fabs(top) * 1e-6f));
  }
  return levels;
}

// Indexes of x (n finite floats) in increasing order of value (ties by index). Thread-local result.
const std::vector<uint32_t>& argsort(const float* x, size_t n) {
  thread_local std::vector<uint32_t> order, buffer;
  order.resize(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
  stable_sort_by_float_key(order, buffer, [x](uint32_t i) { return x[i]; });
  return order;
}

}  // namespace

AsqCodec::AsqCodec(const CodecSpec& spec, size_t d, const CodecOptions& options)
    : RotatedCodec(spec, d, options),
      stochastic_(!spec.has_variant('n')),
      worst_case_(spec.has_variant('m')),
      weighted_(spec.has_variant('w')),
      per_block_(spec.has_variant('k')),
      per_vector_(spec.has_variant('v')) {
  Segment& s = add_segment(rotated_dim(), 1, spec.bits);
  s.elems_per_codebook = per_block_ ? kBlock : 0;
  s.per_vector_codebook = per_vector_;
  finalize_layout();  // shared codebooks stay empty until train()
}

bool AsqCodec::is_trained() const { return RotatedCodec::is_trained() && (!weighted_ || !weights_.empty()); }

void AsqCodec::check_workload(const char* what) const {
  IPAQ_CHECK(!weighted_ || !weights_.empty(), StateError, spec().text, ": ", what,
             " needs the query workload of the weighted objective: call set_query_workload() first");
}

void AsqCodec::set_query_workload(size_t nq, size_t d, const float* queries) {
  IPAQ_CHECK_ARG(weighted_, "codec '", spec().text,
                 "' has no workload-weighted objective (add the variant letter 'w', e.g. ASQ4w)");
  IPAQ_CHECK_ARG(d == dim(), spec().text, ": query workload of dimension ", d, ", expected ", dim());
  IPAQ_CHECK_ARG(nq > 0 && queries != nullptr, spec().text, ": query workload needs at least one query");
  check_finite(queries, checked_mul(nq, d, "set_query_workload: nq * d"), "set_query_workload: queries");
  const size_t D = rotated_dim();
  std::vector<double> moments(D, 0.0);
  std::vector<float> y(D);
  for (size_t i = 0; i < nq; ++i) {
    rotation().apply(queries + i * d, y.data());
    for (size_t j = 0; j < D; ++j) moments[j] += static_cast<double>(y[j]) * y[j];
  }
  const double total = std::accumulate(moments.begin(), moments.end(), 0.0);
  IPAQ_CHECK_ARG(total > 0 && std::isfinite(total), spec().text, ": query workload holds only zero queries");
  for (double& m : moments) m *= static_cast<double>(D) / total;  // mean 1: scale-free
  weights_ = std::move(moments);
  if (!per_vector_) segment(0).codebooks.clear();  // shared levels were fitted to other weights
}

std::vector<float> AsqCodec::solve_levels(std::vector<std::pair<double, double>>& pool) const {
  std::sort(pool.begin(), pool.end());
  if (pool.size() > kMaxSolvePoints) {  // even subsample in sorted order keeps the (weighted) distribution
    std::vector<std::pair<double, double>> sub(kMaxSolvePoints);
    for (size_t i = 0; i < sub.size(); ++i) sub[i] = pool[i * (pool.size() - 1) / (sub.size() - 1)];
    pool.swap(sub);
  }
  std::vector<double> values(pool.size()), weights;
  for (size_t i = 0; i < pool.size(); ++i) values[i] = pool[i].first;
  if (weighted_) {
    weights.resize(pool.size());
    for (size_t i = 0; i < pool.size(); ++i) weights[i] = pool[i].second;
  }
  const size_t s = size_t{1} << spec().bits;
  const asq::Solution solution =
      worst_case_ ? asq::solve_min_max_variance(values, s) : asq::solve(values, weights, s);
  return to_float_levels(solution.levels, s, /*half=*/false);
}

void AsqCodec::train_levels(size_t n, const float* x) {
  if (per_vector_) return;  // levels are chosen per vector at encode time
  check_workload("train()");
  const size_t D = rotated_dim(), used = std::min(n, kMaxTrainVectors);
  Segment& s = segment(0);
  const size_t n_books = s.n_codebooks();
  std::vector<std::vector<std::pair<double, double>>> pools(n_books);
  std::vector<float> y(D);
  for (size_t i = 0; i < used; ++i) {
    // Evenly spread over the sample so that a sorted input does not bias the pool.
    rotate_centered(x + (i * n / used) * dim(), y.data());
    double norm_sq = 0;
    for (float v : y) norm_sq += static_cast<double>(v) * v;
    if (norm_sq == 0) continue;
    const double inv = 1.0 / std::sqrt(norm_sq);
    for (size_t j = 0; j < D; ++j) pools[per_block_ ? j / kBlock : 0].emplace_back(y[j] * inv, weighted_ ? weights_[j] : 1.0);
  }
  IPAQ_CHECK_ARG(!pools[0].empty(), spec().text, ": train sample holds only zero vectors");
  std::vector<float> books;
  for (auto& pool : pools) {
    const std::vector<float> levels = solve_levels(pool);
    books.insert(books.end(), levels.begin(), levels.end());
  }
  s.codebooks = std::move(books);
}

void AsqCodec::encode(size_t n, const float* x, uint8_t* codes) const {
  check_workload("encode()");
  RotatedCodec::encode(n, x, codes);
}

void AsqCodec::quantize(const float* u, Rng& rng, Quantized& q) const {
  const Segment& s = segment(0);
  const size_t D = rotated_dim(), levels = size_t{1} << s.elem_bits;
  auto round = [&](std::span<const float> values, std::span<const float> book, std::span<uint16_t> idx) {
    if (stochastic_) {
      asq::round_stochastic(values, book, rng, idx);
    } else {
      asq::round_nearest(values, book, idx);
    }
  };
  q.scales[0] = 1.0f;
  if (per_vector_) {
    const std::vector<uint32_t>& order = argsort(u, D);
    std::vector<double> sorted(D), weights;
    for (size_t i = 0; i < D; ++i) sorted[i] = u[order[i]];
    if (weighted_) {
      weights.resize(D);
      for (size_t i = 0; i < D; ++i) weights[i] = weights_[order[i]];
    }
    const asq::Solution solution =
        worst_case_ ? asq::solve_min_max_variance(sorted, levels) : asq::solve(sorted, weights, levels);
    q.codebooks[0] = to_float_levels(solution.levels, levels, /*half=*/true);
    round(std::span<const float>(u, D), q.codebooks[0], std::span<uint16_t>(q.fields[0].data(), D));
    return;
  }
  const size_t block = per_block_ ? kBlock : D;
  for (size_t start = 0; start < D; start += block) {
    const size_t len = std::min(block, D - start);
    round(std::span<const float>(u + start, len), std::span<const float>(s.codeword(start, 0), levels),
          std::span<uint16_t>(q.fields[0].data() + start, len));
  }
}

void AsqCodec::serialize_extra(ByteWriter& w) const { w.put_vector(weights_); }

void AsqCodec::deserialize_extra(ByteReader& r) {
  std::vector<double> weights = r.get_vector<double>();
  IPAQ_CHECK_FORMAT(weights.empty() || (weighted_ && weights.size() == rotated_dim()), r.context(), ": ",
                    spec().text, ": serialized workload of ", weights.size(), " weights does not match");
  for (double v : weights)
    IPAQ_CHECK_FORMAT(std::isfinite(v) && v >= 0, r.context(), ": ", spec().text, ": invalid workload weight");
  weights_ = std::move(weights);
}

void check_asq_spec(const CodecSpec& spec) {
  check_codec_spec(spec, "nmwkv");
  IPAQ_CHECK_ARG(!(spec.has_variant('m') && spec.has_variant('w')), "codec '", spec.text,
                 "': the worst-case ('m') and workload-weighted ('w') objectives exclude each other");
  IPAQ_CHECK_ARG(!(spec.has_variant('k') && spec.has_variant('v')), "codec '", spec.text,
                 "': per-block ('k') and per-vector ('v') levels exclude each other");
}

std::unique_ptr<Codec> make_asq_codec(const CodecSpec& spec, size_t d, const CodecOptions& options) {
  return std::make_unique<AsqCodec>(spec, d, options);
}

}  // namespace ipaq
