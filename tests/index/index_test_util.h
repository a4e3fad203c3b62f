// Shared helpers of the index tests: deterministic random data and a brute-force exact top-k oracle.
#pragma once

#include <faiss/Index.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

namespace ipaq::testing {

// n * d uniform values in [-a, a] from a fixed seed.
inline std::vector<float> random_vectors(size_t n, size_t d, float a, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-a, a);
  std::vector<float> x(n * d);
  for (auto& v : x) v = u(rng);
  return x;
}

// Exact distance in FAISS conventions, accumulated in double.
inline double exact_distance(const float* q, const float* x, size_t d, faiss::MetricType metric) {
  double s = 0;
  for (size_t j = 0; j < d; ++j) {
    s += metric == faiss::METRIC_L2 ? double(q[j] - x[j]) * (q[j] - x[j]) : double(q[j]) * x[j];
  }
  return s;
}

// Exact top-k ids for each query (best first).
inline std::vector<faiss::Index::idx_t> brute_force_topk(const std::vector<float>& base,
                                                         const std::vector<float>& queries, size_t d,
                                                         size_t k, faiss::MetricType metric) {
  const size_t nb = base.size() / d, nq = queries.size() / d;
  std::vector<faiss::Index::idx_t> out(nq * k);
  std::vector<double> dist(nb);
  std::vector<faiss::Index::idx_t> order(nb);
  for (size_t qi = 0; qi < nq; ++qi) {
    for (size_t i = 0; i < nb; ++i) dist[i] = exact_distance(&queries[qi * d], &base[i * d], d, metric);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](auto a, auto b) {
      return metric == faiss::METRIC_L2 ? dist[a] < dist[b] : dist[a] > dist[b];
    });
    std::copy_n(order.begin(), k, out.begin() + qi * k);
  }
  return out;
}

// Mean fraction of the true top-k found in the returned top-k.
inline double recall_at_k(const std::vector<faiss::Index::idx_t>& truth, const std::vector<faiss::Index::idx_t>& got,
                          size_t nq, size_t k_truth, size_t k_got, size_t k) {
  size_t hits = 0;
  for (size_t qi = 0; qi < nq; ++qi) {
    for (size_t r = 0; r < k; ++r) {
      const auto t = truth[qi * k_truth + r];
      hits += std::count(got.begin() + qi * k_got, got.begin() + qi * k_got + k, t) > 0;
    }
  }
  return double(hits) / double(nq * k);
}

}  // namespace ipaq::testing
