// ipaq indexes inside FAISS's wrappers: IndexIDMap2, IndexRefineFlat, IndexShards, IndexPreTransform.
#include <faiss/IndexIDMap.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/IndexRefine.h>
#include <faiss/IndexShards.h>
#include <faiss/VectorTransform.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <gtest/gtest.h>

#include "index/index_codec_flat.h"
#include "index/index_factory.h"
#include "tests/index/index_test_util.h"

namespace ipaq {
namespace {

using idx_t = faiss::Index::idx_t;
constexpr size_t kD = 32, kNb = 600, kNq = 8, kK = 5;

struct Data {
  std::vector<float> base = testing::random_vectors(kNb, kD, 1.0f, 51);
  std::vector<float> queries = testing::random_vectors(kNq, kD, 1.0f, 52);
};

void search(const faiss::Index& index, const Data& data, std::vector<float>& D, std::vector<idx_t>& I,
            const faiss::SearchParameters* params = nullptr) {
  D.resize(kNq * kK);
  I.resize(kNq * kK);
  index.search(kNq, data.queries.data(), kK, D.data(), I.data(), params);
}

TEST(Composition, IdMap2TranslatesIdsAndRemoves) {
  Data data;
  auto plain = index_factory(kD, "TQ4", faiss::METRIC_L2);
  plain->train(kNb, data.base.data());
  plain->add(kNb, data.base.data());
  faiss::IndexIDMap2 idmap(index_factory(kD, "TQ4", faiss::METRIC_L2).release());
  idmap.own_fields = true;
  idmap.train(kNb, data.base.data());
  std::vector<idx_t> ids(kNb);
  for (size_t i = 0; i < kNb; ++i) ids[i] = 100000 + idx_t(i) * 10;
  idmap.add_with_ids(kNb, data.base.data(), ids.data());
  std::vector<float> D1, D2;
  std::vector<idx_t> I1, I2;
  search(*plain, data, D1, I1);
  search(idmap, data, D2, I2);
  EXPECT_EQ(D1, D2);
  for (size_t i = 0; i < I1.size(); ++i) EXPECT_EQ(I2[i], ids[I1[i]]);
  std::vector<float> r1(kD), r2(kD);
  plain->reconstruct(17, r1.data());
  idmap.reconstruct(ids[17], r2.data());
  EXPECT_EQ(r1, r2);
  // Removing the first result of query 0 removes it from the answers.
  faiss::IDSelectorBatch gone(1, &I2[0]);
  EXPECT_EQ(idmap.remove_ids(gone), 1u);
  search(idmap, data, D2, I2);
  for (size_t r = 0; r < kK; ++r) EXPECT_NE(I2[r], ids[I1[0]]);
  // Debian's FAISS 1.7.3: IndexIDMap2 rejects SearchParameters (documented limitation).
  faiss::SearchParameters params;
  EXPECT_THROW(search(idmap, data, D2, I2, &params), faiss::FaissException);
}

// IndexRefineFlat over an ipaq index with k_factor * k >= nb re-ranks every vector: exact top-k.
TEST(Composition, RefineFlatGivesExactResultsWithAllCandidates) {
  Data data;
  faiss::IndexRefineFlat refine(index_factory(kD, "RaBitQ1", faiss::METRIC_INNER_PRODUCT).release());
  refine.own_fields = true;
  refine.k_factor = float(kNb) / kK;
  refine.train(kNb, data.base.data());
  refine.add(kNb, data.base.data());
  std::vector<float> D;
  std::vector<idx_t> I;
  search(refine, data, D, I);
  const auto truth = testing::brute_force_topk(data.base, data.queries, kD, kK, faiss::METRIC_INNER_PRODUCT);
  EXPECT_DOUBLE_EQ(testing::recall_at_k(truth, I, kNq, kK, kK, kK), 1.0);
}

// Two shards with successive ids answer like one index holding everything (same codec parameters:
// the codec is data-oblivious and the center is trained on the same data).
TEST(Composition, ShardsMergeLikeOneIndex) {
  Data data;
  auto whole = index_factory(kD, "BSQ2x4", faiss::METRIC_L2);
  whole->train(kNb, data.base.data());
  whole->add(kNb, data.base.data());
  faiss::IndexShards shards(static_cast<idx_t>(kD), false, true);
  shards.own_fields = true;
  for (int s = 0; s < 2; ++s) {
    auto part = index_factory(kD, "BSQ2x4", faiss::METRIC_L2);
    part->train(kNb, data.base.data());
    part->add(kNb / 2, data.base.data() + s * (kNb / 2) * kD);
    shards.add_shard(part.release());
  }
  std::vector<float> D1, D2;
  std::vector<idx_t> I1, I2;
  search(*whole, data, D1, I1);
  search(shards, data, D2, I2);
  EXPECT_EQ(I1, I2);
  EXPECT_EQ(D1, D2);
}

// A PreTransform (random rotation) in front of an ipaq index = the ipaq index on rotated vectors.
TEST(Composition, PreTransformEqualsTransformedInputs) {
  Data data;
  auto rot = std::make_unique<faiss::RandomRotationMatrix>(kD, kD);
  rot->init(7);
  std::vector<float> rb(kNb * kD), rq(kNq * kD);
  rot->apply_noalloc(kNb, data.base.data(), rb.data());
  rot->apply_noalloc(kNq, data.queries.data(), rq.data());
  faiss::IndexPreTransform pre(rot.release(), index_factory(kD, "TQ4", faiss::METRIC_L2).release());
  pre.own_fields = true;
  pre.train(kNb, data.base.data());
  pre.add(kNb, data.base.data());
  auto direct = index_factory(kD, "TQ4", faiss::METRIC_L2);
  direct->train(kNb, rb.data());
  direct->add(kNb, rb.data());
  std::vector<float> D1(kNq * kK), D2;
  std::vector<idx_t> I1(kNq * kK), I2;
  direct->search(kNq, rq.data(), kK, D1.data(), I1.data());
  search(pre, data, D2, I2);
  EXPECT_EQ(I1, I2);
  for (size_t i = 0; i < D1.size(); ++i) EXPECT_NEAR(D1[i], D2[i], 1e-5);
}

}  // namespace
}  // namespace ipaq
