#include "lib/codecs/sphere_block_codebook.h"

#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <tuple>

#include "lib/codecs/lloyd_max.h"
#include "lib/core/error.h"
#include "lib/core/random.h"

namespace ipaq {

uint32_t nearest_codeword(const float* codebook, size_t count, size_t p, const float* x) {
  uint32_t best = 0;
  float best_dist = std::numeric_limits<float>::infinity();
  for (size_t c = 0; c < count; ++c) {
    const float* w = codebook + c * p;
    float dist = 0;
    for (size_t k = 0; k < p; ++k) dist += (x[k] - w[k]) * (x[k] - w[k]);
    if (dist < best_dist) {
      best_dist = dist;
      best = static_cast<uint32_t>(c);
    }
  }
  return best;
}

namespace {

std::vector<float> sphere_block_samples(size_t n_samples, size_t p, size_t D, Rng& rng) {
  std::vector<float> samples;
  samples.reserve(n_samples * p + D);
  std::vector<double> g(D);
  while (samples.size() < n_samples * p) {
    double norm_sq = 0;
    for (double& v : g) {
      v = rng.normal();
      norm_sq += v * v;
    }
    const double inv = 1.0 / std::sqrt(norm_sq);
    for (size_t i = 0; i < D && samples.size() < n_samples * p; ++i) samples.push_back(static_cast<float>(g[i] * inv));
  }
  return samples;
}

std::vector<float> train_codebook(int b, size_t p, size_t D, uint64_t seed) {
  const size_t K = size_t{1} << (b * p);
  const size_t n = std::max<size_t>(64 * K, (size_t{1} << 20) / K);
  Rng rng(seed);
  const std::vector<float> samples = sphere_block_samples(n, p, D, rng);
  const std::vector<double> levels = lloyd_max_sphere_coordinate(b, D);
  std::vector<float> centroids(K * p);
  const size_t mask = (size_t{1} << b) - 1;
  for (size_t c = 0; c < K; ++c)
    for (size_t k = 0; k < p; ++k) centroids[c * p + k] = static_cast<float>(levels[(c >> (b * k)) & mask]);
  std::vector<double> sums(K * p);
  std::vector<size_t> counts(K);
  for (int iter = 0; iter < 20; ++iter) {
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    for (size_t s = 0; s < n; ++s) {
      const float* x = samples.data() + s * p;
      const uint32_t c = nearest_codeword(centroids.data(), K, p, x);
      ++counts[c];
      for (size_t k = 0; k < p; ++k) sums[c * p + k] += x[k];
    }
    for (size_t c = 0; c < K; ++c) {
      if (counts[c] == 0) {
        const size_t s = rng.below(n);
        for (size_t k = 0; k < p; ++k) centroids[c * p + k] = samples[s * p + k];
        continue;
      }
      for (size_t k = 0; k < p; ++k) centroids[c * p + k] = static_cast<float>(sums[c * p + k] / counts[c]);
    }
  }
  return centroids;
}

}  // namespace

std::vector<float> sphere_block_codebook(int bits, size_t p, size_t D, uint64_t seed) {
  IPAQ_CHECK_ARG(bits >= 1 && p >= 1 && bits * p <= 8, "sphere_block_codebook: b·p = ", bits * p, " out of [1, 8]");
  IPAQ_CHECK_ARG(p >= 1 && D % p == 0, "sphere_block_codebook: block length ", p, " must divide D = ", D);
  static std::mutex mutex;
  static std::map<std::tuple<int, size_t, size_t, uint64_t>, std::vector<float>> cache;
  const auto key = std::make_tuple(bits, p, D, seed);
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
  }
  std::vector<float> codebook = train_codebook(bits, p, D, seed);
  std::lock_guard<std::mutex> lock(mutex);
  cache[key] = codebook;
  return codebook;
}

}  // namespace ipaq
