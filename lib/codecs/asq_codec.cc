#include "lib/codecs/asq_codec.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "lib/asq/asq_solver.h"
#include "lib/asq/stochastic_rounding.h"
#include "lib/codecs/codec_spec.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq {

AsqCodec::AsqCodec(const CodecSpec& spec, size_t d, const CodecOptions& options)
    : RotatedCodec(spec, d, options),
      stochastic_(!spec.has_variant('n')),
      worst_case_(spec.has_variant('m')),
      per_block_(spec.has_variant('k')) {
  Segment& s = add_segment(rotated_dim(), 1, spec.bits);
  s.elems_per_codebook = per_block_ ? kBlock : 0;
  finalize_layout();  // codebooks stay empty until train()
}

std::vector<float> AsqCodec::solve_levels(std::vector<double>& values) const {
  std::sort(values.begin(), values.end());
  if (values.size() > kMaxSolvePoints) {  // even subsample in sorted order keeps the distribution
    std::vector<double> sub(kMaxSolvePoints);
    for (size_t i = 0; i < sub.size(); ++i) sub[i] = values[i * (values.size() - 1) / (sub.size() - 1)];
    values.swap(sub);
  }
  const size_t s = size_t{1} << spec().bits;
  const asq::Solution solution =
      worst_case_ ? asq::solve_min_max_variance(values, s) : asq::solve(values, {}, s);
  std::vector<float> levels;
  for (double l : solution.levels) {
    const float f = static_cast<float>(l);
    if (levels.empty() || f > levels.back()) levels.push_back(f);
  }
  // Fewer distinct values than levels: pad above the top (never chosen; keeps 2^b strictly increasing).
  while (levels.size() < s) levels.push_back(levels.back() + std::max(1e-6f, std::fabs(levels.back()) * 1e-6f));
  return levels;
}

void AsqCodec::train_levels(size_t n, const float* x) {
  const size_t D = rotated_dim(), used = std::min(n, kMaxTrainVectors);
  Segment& s = segment(0);
  const size_t n_books = s.n_codebooks();
  std::vector<std::vector<double>> pools(n_books);
  std::vector<float> y(D);
  for (size_t i = 0; i < used; ++i) {
    // Evenly spread over the sample so that a sorted input does not bias the pool.
    rotate_centered(x + (i * n / used) * dim(), y.data());
    double norm_sq = 0;
    for (float v : y) norm_sq += static_cast<double>(v) * v;
    if (norm_sq == 0) continue;
    const double inv = 1.0 / std::sqrt(norm_sq);
    for (size_t j = 0; j < D; ++j) pools[per_block_ ? j / kBlock : 0].push_back(y[j] * inv);
  }
  IPAQ_CHECK_ARG(!pools[0].empty(), spec().text, ": train sample holds only zero vectors");
  std::vector<float> books;
  for (auto& pool : pools) {
    const std::vector<float> levels = solve_levels(pool);
    books.insert(books.end(), levels.begin(), levels.end());
  }
  s.codebooks = std::move(books);
}

void AsqCodec::quantize(const float* u, Rng& rng, Quantized& q) const {
  const Segment& s = segment(0);
  const size_t D = rotated_dim(), levels = size_t{1} << s.elem_bits;
  const size_t block = per_block_ ? kBlock : D;
  for (size_t start = 0; start < D; start += block) {
    const size_t len = std::min(block, D - start);
    const std::span<const float> values(u + start, len);
    const std::span<const float> book(s.codeword(start, 0), levels);
    const std::span<uint16_t> idx(q.fields[0].data() + start, len);
    if (stochastic_) {
      asq::round_stochastic(values, book, rng, idx);
    } else {
      asq::round_nearest(values, book, idx);
    }
  }
  q.scales[0] = 1.0f;
}

void check_asq_spec(const CodecSpec& spec) { check_codec_spec(spec, "nmk"); }

std::unique_ptr<Codec> make_asq_codec(const CodecSpec& spec, size_t d, const CodecOptions& options) {
  return std::make_unique<AsqCodec>(spec, d, options);
}

}  // namespace ipaq
