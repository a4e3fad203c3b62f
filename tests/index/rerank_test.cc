#include "index/rerank.h"

#include <gtest/gtest.h>

#include "index/index_codec_flat.h"
#include "index/search_params.h"
#include "lib/core/error.h"
#include "tests/index/index_test_util.h"
#include "tests/index/test_codecs.h"

namespace ipaq {
namespace {

using testing::Uniform4bitCodec;
using idx_t = faiss::Index::idx_t;

std::unique_ptr<IndexRerank> make_rerank(size_t d, faiss::MetricType metric, bool with_bound, float factor) {
  // Coarse codec (range 1, 16 levels) so that rerank has something to fix.
  auto flat = std::make_unique<IndexCodecFlat>(std::make_unique<Uniform4bitCodec>(d, 1.0f, with_bound), metric,
                                               false);
  return std::make_unique<IndexRerank>(std::move(flat), nullptr, factor);
}

class RerankTest : public ::testing::TestWithParam<faiss::MetricType> {};

// Rerank returns exact distances of its labels, and with a factor large enough to take every vector as a
// candidate (k * factor >= nb) it must return the exact top-k.
TEST_P(RerankTest, ExactDistancesAndExactTopKWithAllCandidates) {
  const size_t d = 16, nb = 400, nq = 8, k = 5;
  const auto base = testing::random_vectors(nb, d, 1.0f, 21);
  const auto queries = testing::random_vectors(nq, d, 1.0f, 22);
  auto index = make_rerank(d, GetParam(), false, 4.0f);
  index->add(nb, base.data());
  EXPECT_EQ(index->ntotal, idx_t(nb));
  std::vector<float> D(nq * k);
  std::vector<idx_t> I(nq * k);
  SearchParametersRerank all;
  all.rerank_factor = float(nb) / k;
  RerankStats stats;
  all.stats = &stats;
  index->search(nq, queries.data(), k, D.data(), I.data(), &all);
  EXPECT_EQ(stats.candidates, nq * nb);
  EXPECT_EQ(stats.fetched, nq * nb);  // no bound: everything re-scored
  const auto truth = testing::brute_force_topk(base, queries, d, k, GetParam());
  EXPECT_DOUBLE_EQ(testing::recall_at_k(truth, I, nq, k, k, k), 1.0);
  for (size_t i = 0; i < nq * k; ++i) {
    EXPECT_NEAR(D[i], testing::exact_distance(&queries[(i / k) * d], &base[I[i] * d], d, GetParam()), 1e-5);
  }
  // The default factor (4) re-scores 20 candidates: recall cannot beat the all-candidates run, and it
  // is at least the base's own recall on the same queries.
  index->search(nq, queries.data(), k, D.data(), I.data());
  const double r4 = testing::recall_at_k(truth, I, nq, k, k, k);
  index->base().search(nq, queries.data(), k, D.data(), I.data());
  EXPECT_GE(r4, testing::recall_at_k(truth, I, nq, k, k, k));
}

// With a codec whose error bound is deterministic (Uniform4bitCodec: |est - exact| <= sum|q_j| step/2),
// pruning by the bound must give exactly the same result as re-scoring every candidate, while fetching
// fewer vectors.
TEST_P(RerankTest, ErrorBoundPruningKeepsTheResult) {
  const size_t d = 16, nb = 2000, nq = 10, k = 5;
  // Values inside the codec range so the bound holds (no clipping).
  const auto base = testing::random_vectors(nb, d, 1.0f, 23);
  const auto queries = testing::random_vectors(nq, d, 1.0f, 24);
  auto index = make_rerank(d, GetParam(), true, 20.0f);
  index->add(nb, base.data());
  std::vector<float> D1(nq * k), D2(nq * k);
  std::vector<idx_t> I1(nq * k), I2(nq * k);
  SearchParametersRerank pruned, full;
  RerankStats s1, s2;
  pruned.stats = &s1;
  full.stats = &s2;
  full.use_error_bound = false;
  pruned.bound_with_in_memory_source = true;  // the source here is in memory
  index->search(nq, queries.data(), k, D1.data(), I1.data(), &pruned);
  index->search(nq, queries.data(), k, D2.data(), I2.data(), &full);
  EXPECT_EQ(I1, I2);
  EXPECT_EQ(D1, D2);
  EXPECT_EQ(s1.candidates, s2.candidates);
  EXPECT_EQ(s2.fetched, s2.candidates);
  EXPECT_LT(s1.fetched, s1.candidates);
  // Default parameters with an in-memory source: no pruning (an exact distance is cheaper than the
  // bound there), same result.
  SearchParametersRerank by_default;
  RerankStats s3;
  by_default.stats = &s3;
  index->search(nq, queries.data(), k, D2.data(), I2.data(), &by_default);
  EXPECT_EQ(I1, I2);
  EXPECT_EQ(s3.fetched, s3.candidates);
}

INSTANTIATE_TEST_SUITE_P(Metrics, RerankTest, ::testing::Values(faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT));

TEST(IndexRerank, RejectsBadArguments) {
  const size_t d = 4;
  const auto base = testing::random_vectors(10, d, 1.0f, 25);
  EXPECT_THROW(make_rerank(d, faiss::METRIC_L2, false, 0.5f), InvalidArgument);
  EXPECT_THROW(IndexRerank(nullptr, nullptr, 2.0f), InvalidArgument);
  auto index = make_rerank(d, faiss::METRIC_L2, false, 2.0f);
  index->add(10, base.data());
  std::vector<float> D(2);
  std::vector<idx_t> I(2);
  EXPECT_THROW(index->search(1, base.data(), 0, D.data(), I.data()), InvalidArgument);
  SearchParametersRerank bad;
  bad.rerank_factor = 0.5f;
  EXPECT_THROW(index->search(1, base.data(), 1, D.data(), I.data(), &bad), InvalidArgument);
  InMemoryVectorSource src(d);
  src.append(10, base.data());
  idx_t bad_id = 10;
  std::vector<float> out(d);
  EXPECT_THROW(src.get(1, &bad_id, out.data()), InvalidArgument);
  // A finite row whose squared norm overflows float32 is refused like NaN, and nothing is appended.
  std::vector<float> huge(2 * d, 1.0f);
  huge[d + 1] = 3e38f;
  try {
    src.append(2, huge.data());
    ADD_FAILURE() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("row 1: squared norm overflows float32"), std::string::npos) << e.what();
  }
  EXPECT_EQ(src.size(), 10u);
}

}  // namespace
}  // namespace ipaq
