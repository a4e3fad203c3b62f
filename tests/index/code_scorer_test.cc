// CodeScorer::push_to_heap (chunk-screened) against the one-by-one reference push, for both FAISS heap
// comparators, heaps larger and smaller than the input, ties, NaNs, selectors and explicit or implicit ids.
#include "index/code_scorer.h"

#include <faiss/impl/IDSelector.h>
#include <faiss/utils/Heap.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace ipaq {
namespace {

using idx_t = faiss::Index::idx_t;

// The per-element push that push_to_heap must equal.
template <class C>
size_t reference_push(size_t n, const float* dist, const idx_t* ids, idx_t first_id, const faiss::IDSelector* sel,
                      size_t k, float* heap_dist, idx_t* heap_ids) {
  size_t updates = 0;
  for (size_t i = 0; i < n; ++i) {
    const idx_t id = ids ? ids[i] : first_id + static_cast<idx_t>(i);
    if (!C::cmp(heap_dist[0], dist[i])) continue;
    if (sel && !sel->is_member(id)) continue;
    faiss::heap_replace_top<C>(k, heap_dist, heap_ids, dist[i], id);
    ++updates;
  }
  return updates;
}

template <class C>
void check_push(uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> level(0, 40);  // few distinct values: many ties
  for (size_t n : {0, 5, 16, 17, 100, 1024, 1031}) {
    for (size_t k : {1, 10, 64}) {
      std::vector<float> dist(n);
      for (size_t i = 0; i < n; ++i) dist[i] = static_cast<float>(level(rng)) * 0.25f - 3.0f;
      if (n > 20) dist[20] = std::numeric_limits<float>::quiet_NaN();
      std::vector<idx_t> ids(n);
      for (size_t i = 0; i < n; ++i) ids[i] = static_cast<idx_t>(7 * i + 3);
      faiss::IDSelectorRange odd_half(0, static_cast<idx_t>(7 * n / 2));
      for (int variant = 0; variant < 3; ++variant) {
        SCOPED_TRACE("n " + std::to_string(n) + " k " + std::to_string(k) + " variant " + std::to_string(variant));
        const idx_t* id_array = variant == 1 ? ids.data() : nullptr;
        const faiss::IDSelector* sel = variant == 2 ? &odd_half : nullptr;
        std::vector<float> hd(k), rd(k);
        std::vector<idx_t> hi(k), ri(k);
        faiss::heap_heapify<C>(k, hd.data(), hi.data());
        faiss::heap_heapify<C>(k, rd.data(), ri.data());
        // Two batches into the same heap: the second starts from a full heap.
        for (size_t half : {n / 2, n - n / 2}) {
          const size_t off = half == n / 2 ? 0 : n / 2;
          const size_t got = CodeScorer::push_to_heap<C>(half, dist.data() + off, id_array ? id_array + off : nullptr,
                                                         100 + static_cast<idx_t>(off), sel, k, hd.data(), hi.data());
          const size_t want = reference_push<C>(half, dist.data() + off, id_array ? id_array + off : nullptr,
                                                100 + static_cast<idx_t>(off), sel, k, rd.data(), ri.data());
          EXPECT_EQ(got, want);
        }
        EXPECT_EQ(hi, ri);
        for (size_t r = 0; r < k; ++r) EXPECT_EQ(hd[r], rd[r]) << r;  // no NaN ever enters
      }
    }
  }
}

TEST(CodeScorer, PushToHeapEqualsOneByOnePushL2) { check_push<faiss::CMax<float, idx_t>>(1); }
TEST(CodeScorer, PushToHeapEqualsOneByOnePushIp) { check_push<faiss::CMin<float, idx_t>>(2); }

}  // namespace
}  // namespace ipaq
