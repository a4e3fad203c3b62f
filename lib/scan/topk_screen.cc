#include "lib/scan/topk_screen.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ipaq {

namespace {

// Keeps i with key(dist[i]) >= threshold and key > bound_key, key = dist (kLargest) or −dist (kSmallest);
// NaN fails both comparisons. Chunks of 16 are tested branch-free first.
template <bool kLargest>
size_t keep_reaching(size_t n, const float* dist, float threshold_key, float bound_key, uint32_t* out) {
  auto keep = [&](float v) {
    const float key = kLargest ? v : -v;
    return key >= threshold_key && key > bound_key;
  };
  size_t m = 0, i = 0;
  constexpr size_t kChunk = 16;
  for (; i + kChunk <= n; i += kChunk) {
    int any = 0;
    for (size_t j = 0; j < kChunk; ++j) any |= keep(dist[i + j]);
    if (any == 0) continue;
    for (size_t j = 0; j < kChunk; ++j) {
      out[m] = static_cast<uint32_t>(i + j);
      m += keep(dist[i + j]);
    }
  }
  for (; i < n; ++i) {
    out[m] = static_cast<uint32_t>(i);
    m += keep(dist[i]);
  }
  return m;
}

template <bool kLargest>
size_t screen(size_t n, const float* dist, size_t k, float bound, uint32_t* out, std::vector<float>& scratch) {
  const float bound_key = kLargest ? bound : -bound;
  constexpr float kNoThreshold = -std::numeric_limits<float>::infinity();
  // First the bound alone: when it is already tight (a heap filled by earlier runs) few pass and that is
  // all. Otherwise (more than 2k pass) the block threshold below thins them.
  const size_t passed = keep_reaching<kLargest>(n, dist, kNoThreshold, bound_key, out);
  const size_t block = n / (2 * k);
  if (passed <= 2 * k || block == 0) return passed;
  // Best key of each of nblocks >= 2k blocks (the last one takes the remainder); NaN never wins.
  const size_t nblocks = n / block;
  scratch.resize(nblocks);
  for (size_t b = 0; b < nblocks; ++b) {
    const size_t begin = b * block, end = b + 1 == nblocks ? n : begin + block;
    float best = kNoThreshold;
    for (size_t i = begin; i < end; ++i) {
      const float key = kLargest ? dist[i] : -dist[i];
      best = key > best ? key : best;
    }
    scratch[b] = best;
  }
  // The k-th largest block best: k distinct positions reach it, so the run's k-th best does too.
  std::nth_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(k - 1), scratch.end(),
                   [](float a, float b) { return a > b; });
  const float threshold_key = scratch[k - 1];
  size_t m = 0;
  for (size_t j = 0; j < passed; ++j) {
    const float key = kLargest ? dist[out[j]] : -dist[out[j]];
    out[m] = out[j];
    m += key >= threshold_key;
  }
  return m;
}

}  // namespace

size_t screen_topk_run(size_t n, const float* dist, size_t k, TopKOrder order, float bound, uint32_t* out,
                       std::vector<float>& scratch) {
  if (n == 0) return 0;
  if (k == 0) k = 1;
  return order == TopKOrder::kLargest ? screen<true>(n, dist, k, bound, out, scratch)
                                      : screen<false>(n, dist, k, bound, out, scratch);
}

}  // namespace ipaq
