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

// Number of positions whose key beats bound_key (NaN does not), branch-free.
template <bool kLargest>
size_t count_beating(size_t n, const float* dist, float bound_key) {
  size_t count = 0;
  for (size_t i = 0; i < n; ++i) count += (kLargest ? dist[i] : -dist[i]) > bound_key;
  return count;
}

template <bool kLargest>
size_t screen(size_t n, const float* dist, size_t k, float bound, uint32_t* out, std::vector<float>& scratch) {
  const float bound_key = kLargest ? bound : -bound;
  constexpr float kNoThreshold = -std::numeric_limits<float>::infinity();
  // When the bound is already tight (a heap filled by earlier runs) few positions beat it: keep those.
  const size_t groups = 2 * k, rows = n / groups;
  if (rows == 0 || count_beating<kLargest>(n, dist, bound_key) <= groups) {
    return keep_reaching<kLargest>(n, dist, kNoThreshold, bound_key, out);
  }
  // Otherwise thin them: the best key of each of 2k strided groups {b, b + 2k, b + 4k, ...} (rows·2k
  // positions; a vertical max the compiler vectorizes; NaN never wins), and the k-th best of those: k
  // distinct positions reach it, so the run's k-th best does too.
  scratch.assign(groups, kNoThreshold);
  float* best = scratch.data();
  for (size_t r = 0; r < rows; ++r) {
    const float* row = dist + r * groups;
    for (size_t b = 0; b < groups; ++b) {
      const float key = kLargest ? row[b] : -row[b];
      best[b] = key > best[b] ? key : best[b];
    }
  }
  std::nth_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(k - 1), scratch.end(),
                   [](float x, float y) { return x > y; });
  return keep_reaching<kLargest>(n, dist, scratch[k - 1], bound_key, out);
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
