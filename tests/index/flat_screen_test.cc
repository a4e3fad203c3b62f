// IndexCodecFlat screens a query's first run of distances before its heap pushes (lib/scan/topk_screen.h,
// only without an id selector). Reference: the same search with a selector accepting every id, which
// takes the unscreened path — labels and distances must be identical, for both metrics, k' small and
// large against the run (screen on / off), ties (duplicated vectors) and several runs (n > 1024).
#include <faiss/impl/IDSelector.h>
#include <gtest/gtest.h>

#include <vector>

#include "index/index_codec_flat.h"
#include "lib/codecs/codec.h"
#include "tests/index/index_test_util.h"

namespace ipaq {
namespace {

using idx_t = faiss::Index::idx_t;

void check(faiss::MetricType metric, const char* descriptor, size_t nb) {
  const size_t d = 64, nq = 6;
  auto base = testing::random_vectors(nb, d, 1.0f, 31);
  for (size_t i = 0; i + 1 < nb; i += 7) std::copy_n(&base[i * d], d, &base[(i + 1) * d]);  // exact ties
  const auto queries = testing::random_vectors(nq, d, 1.0f, 32);
  IndexCodecFlat index(make_codec(descriptor, d), metric, false);
  if (!index.is_trained) index.train(static_cast<idx_t>(nb), base.data());
  index.add(static_cast<idx_t>(nb), base.data());
  faiss::IDSelectorRange every(0, static_cast<idx_t>(nb));
  faiss::SearchParameters with_selector;
  with_selector.sel = &every;
  for (size_t k : {size_t{1}, size_t{10}, size_t{20}, size_t{100}, nb / 2}) {
    SCOPED_TRACE(::testing::Message() << descriptor << " nb " << nb << " k " << k << " metric " << metric);
    std::vector<float> d1(nq * k), d2(nq * k);
    std::vector<idx_t> l1(nq * k), l2(nq * k);
    index.search(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k), d1.data(), l1.data());
    index.search(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k), d2.data(), l2.data(), &with_selector);
    EXPECT_EQ(l1, l2);
    EXPECT_EQ(d1, d2);
  }
}

TEST(FlatScreen, SameResultsAsUnscreenedSearch) {
  for (faiss::MetricType metric : {faiss::METRIC_INNER_PRODUCT, faiss::METRIC_L2}) {
    for (const char* descriptor : {"RaBitQ1", "TQ2"}) {
      check(metric, descriptor, 700);
      check(metric, descriptor, 2500);  // several runs of 1024: later runs see a full heap
    }
  }
}

}  // namespace
}  // namespace ipaq
