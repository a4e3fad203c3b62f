#include "lib/scan/topk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "lib/core/error.h"
#include "lib/core/random.h"

namespace ipaq {
namespace {

struct Candidate {
  float distance;
  int64_t id;
};

// Reference: std::partial_sort with the documented order (better distance first, then smaller id).
void reference_topk(std::vector<Candidate> c, size_t k, TopKOrder order, std::vector<float>& d,
                    std::vector<int64_t>& ids) {
  auto better = [order](const Candidate& a, const Candidate& b) {
    if (a.distance != b.distance) return order == TopKOrder::kLargest ? a.distance > b.distance : a.distance < b.distance;
    return a.id < b.id;
  };
  const size_t kept = std::min(k, c.size());
  std::partial_sort(c.begin(), c.begin() + kept, c.end(), better);
  const float pad = order == TopKOrder::kLargest ? -std::numeric_limits<float>::infinity()
                                                 : std::numeric_limits<float>::infinity();
  d.assign(k, pad);
  ids.assign(k, -1);
  for (size_t i = 0; i < kept; ++i) {
    d[i] = c[i].distance;
    ids[i] = c[i].id;
  }
}

// Distances drawn from only 7 values, so ties are everywhere, ids shuffled.
std::vector<Candidate> tied_candidates(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<Candidate> c(n);
  for (size_t i = 0; i < n; ++i) c[i] = {static_cast<float>(rng.below(7)) - 3.0f, static_cast<int64_t>(rng.below(1000))};
  return c;
}

TEST(TopK, MatchesPartialSortWithTiesAndKBeyondN) {
  for (TopKOrder order : {TopKOrder::kLargest, TopKOrder::kSmallest}) {
    for (size_t n : {0, 1, 5, 50, 300}) {
      for (size_t k : {1, 3, 10, 64, 400}) {
        SCOPED_TRACE(::testing::Message() << "n=" << n << " k=" << k << " largest=" << (order == TopKOrder::kLargest));
        const auto c = tied_candidates(n, n * 1000 + k);
        TopK heap(k, order);
        for (const auto& x : c) heap.push(x.distance, x.id);
        std::vector<float> d(k), ed;
        std::vector<int64_t> ids(k), eids;
        heap.extract_sorted(d.data(), ids.data());
        reference_topk(c, k, order, ed, eids);
        EXPECT_EQ(d, ed);
        EXPECT_EQ(ids, eids);
        EXPECT_EQ(heap.size(), std::min(k, n));
        // push_batch (chunk screening + tail) keeps the same set.
        std::vector<float> dist(n);
        std::vector<int64_t> id(n);
        for (size_t i = 0; i < n; ++i) {
          dist[i] = c[i].distance;
          id[i] = c[i].id;
        }
        TopK batched(k, order);
        batched.push_batch(n, dist.data(), id.data());
        batched.extract_sorted(d.data(), ids.data());
        EXPECT_EQ(d, ed);
        EXPECT_EQ(ids, eids);
      }
    }
  }
}

TEST(TopK, MergeOfSplitHeapsEqualsOneHeap) {
  const auto c = tied_candidates(500, 42);
  for (TopKOrder order : {TopKOrder::kLargest, TopKOrder::kSmallest}) {
    TopK whole(20, order), merged(20, order);
    std::vector<TopK> parts(3, TopK(20, order));
    for (size_t i = 0; i < c.size(); ++i) {
      whole.push(c[i].distance, c[i].id);
      parts[i % 3].push(c[i].distance, c[i].id);
    }
    for (const auto& p : parts) merged.merge(p);
    std::vector<float> d1(20), d2(20);
    std::vector<int64_t> i1(20), i2(20);
    whole.extract_sorted(d1.data(), i1.data());
    merged.extract_sorted(d2.data(), i2.data());
    EXPECT_EQ(d1, d2);
    EXPECT_EQ(i1, i2);
  }
  EXPECT_THROW(TopK(2, TopKOrder::kLargest).merge(TopK(2, TopKOrder::kSmallest)), InvalidArgument);
}

TEST(TopK, ThresholdAndBatch) {
  TopK heap(2, TopKOrder::kSmallest);
  EXPECT_EQ(heap.threshold(), std::numeric_limits<float>::infinity());
  const float d[4] = {5.0f, 1.0f, 3.0f, 2.0f};
  heap.push_batch(4, d, nullptr, 100);
  EXPECT_EQ(heap.threshold(), 2.0f);
  float out_d[2];
  int64_t out_i[2];
  heap.extract_sorted(out_d, out_i);
  EXPECT_EQ(out_i[0], 101);
  EXPECT_EQ(out_i[1], 103);
  const int64_t ids[2] = {7, 8};
  const float better[2] = {0.5f, 9.0f};
  heap.push_batch(2, better, ids);
  heap.extract_sorted(out_d, out_i);
  EXPECT_EQ(out_i[0], 7);
  EXPECT_EQ(out_d[1], 1.0f);
}

TEST(TopK, NanNeverKeptAndZeroKRejected) {
  TopK heap(3, TopKOrder::kLargest);
  heap.push(std::numeric_limits<float>::quiet_NaN(), 1);
  heap.push(2.0f, 2);
  EXPECT_EQ(heap.size(), 1u);
  EXPECT_THROW(TopK(0, TopKOrder::kLargest), InvalidArgument);
}

}  // namespace
}  // namespace ipaq
