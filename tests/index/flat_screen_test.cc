// IndexCodecFlat and IndexCodecIVF screen a query's first run / list before its heap pushes
// (CodeScorer::push_run, lib/scan/topk_screen.h; only without an id selector). Reference: the same search
// with a selector accepting every id, which takes the unscreened path — labels and distances must be
// identical, for both metrics, k' small and large against the run (screen on / off), ties (duplicated
// vectors) and several runs (n > 1024) or lists.
#include <faiss/impl/IDSelector.h>
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVF.h>

#include "index/index_codec_flat.h"
#include "index/index_codec_ivf.h"
#include "lib/codecs/codec.h"
#include "tests/index/index_test_util.h"

namespace ipaq {
namespace {

using idx_t = faiss::Index::idx_t;

constexpr size_t kDim = 64;

void check(faiss::Index& index, faiss::MetricType metric, const char* descriptor, size_t nb, bool ivf) {
  const size_t d = kDim, nq = 6;
  auto base = testing::random_vectors(nb, d, 1.0f, 31);
  for (size_t i = 0; i + 1 < nb; i += 7) std::copy_n(&base[i * d], d, &base[(i + 1) * d]);  // exact ties
  const auto queries = testing::random_vectors(nq, d, 1.0f, 32);
  if (!index.is_trained) index.train(static_cast<idx_t>(nb), base.data());
  index.add(static_cast<idx_t>(nb), base.data());
  faiss::IDSelectorRange every(0, static_cast<idx_t>(nb));
  faiss::SearchParametersIVF ivf_params;
  ivf_params.nprobe = 3;
  faiss::SearchParametersIVF ivf_with_selector;
  ivf_with_selector.nprobe = 3;
  ivf_with_selector.sel = &every;
  faiss::SearchParameters flat_with_selector;
  flat_with_selector.sel = &every;
  const faiss::SearchParameters* plain = ivf ? &ivf_params : nullptr;
  const faiss::SearchParameters* with_selector = ivf ? &ivf_with_selector : &flat_with_selector;
  for (size_t k : {size_t{1}, size_t{10}, size_t{20}, size_t{100}, nb / 2}) {
    SCOPED_TRACE(::testing::Message() << descriptor << (ivf ? " IVF8" : " flat") << " nb " << nb << " k " << k
                                      << " metric " << metric);
    std::vector<float> d1(nq * k), d2(nq * k);
    std::vector<idx_t> l1(nq * k), l2(nq * k);
    index.search(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k), d1.data(), l1.data(), plain);
    index.search(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k), d2.data(), l2.data(), with_selector);
    EXPECT_EQ(l1, l2);
    EXPECT_EQ(d1, d2);
  }
}

TEST(FlatScreen, SameResultsAsUnscreenedSearch) {
  for (faiss::MetricType metric : {faiss::METRIC_INNER_PRODUCT, faiss::METRIC_L2}) {
    for (const char* descriptor : {"RaBitQ1", "TQ2"}) {
      for (size_t nb : {size_t{700}, size_t{2500}}) {  // 2500: several runs of 1024, later ones see a full heap
        IndexCodecFlat flat(make_codec(descriptor, kDim), metric, false);
        check(flat, metric, descriptor, nb, false);
        std::unique_ptr<faiss::Index> quantizer;
        if (metric == faiss::METRIC_L2) quantizer = std::make_unique<faiss::IndexFlatL2>(static_cast<int>(kDim));
        else quantizer = std::make_unique<faiss::IndexFlatIP>(static_cast<int>(kDim));
        IndexCodecIVF ivf(std::move(quantizer), 8, make_codec(descriptor, kDim), metric);
        check(ivf, metric, descriptor, nb, true);
      }
    }
  }
}

}  // namespace
}  // namespace ipaq
