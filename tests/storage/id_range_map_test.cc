// IdRangeMap (storage/id_range_map.h) against its slow twin faiss::IndexIDMap over an identical inner
// index fed the same codes: same labels and distances after every step of a sequence that keeps the ids
// contiguous, breaks the run at a batch start and in the middle of a batch, removes ids, and adds through
// the encoding path; and no id bytes while the ids are contiguous. Inner indexes: FAISS IndexFlat (an
// IndexFlatCodes) and ipaq IndexCodecFlat with fast scan (RaBitQ1, TQ4).
#include <gtest/gtest.h>

#include <faiss/IndexFlat.h>
#include <faiss/IndexIDMap.h>
#include <faiss/impl/IDSelector.h>

#include "index/index_codes.h"
#include "index/index_factory.h"
#include "lib/core/error.h"
#include "storage/id_range_map.h"
#include "tests/storage/storage_test_util.h"

namespace ipaq::storage {
namespace {

using idx_t = faiss::Index::idx_t;

constexpr int kDim = 32;
constexpr idx_t kK = 10;

class IdRangeMapTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto make = [&] { return index_factory(kDim, GetParam(), faiss::METRIC_L2); };
    std::unique_ptr<faiss::Index> inner = make(), ref_inner = make();
    const std::vector<float> train = testing::gaussian_rows(50000, 1000, kDim, 3);
    inner->train(1000, train.data());
    ref_inner->train(1000, train.data());
    map_ = std::make_unique<IdRangeMap>(std::move(inner));
    ref_inner_ = std::move(ref_inner);
    ref_ = std::make_unique<faiss::IndexIDMap>(ref_inner_.get());
  }

  // Encodes rows [row, row + ids.size()) and appends them to both maps under `ids`.
  void add(size_t row, const std::vector<idx_t>& ids) {
    const idx_t n = static_cast<idx_t>(ids.size());
    const std::vector<float> x = testing::gaussian_rows(row, ids.size(), kDim, 4);
    std::vector<uint8_t> codes(ids.size() * map_->sa_code_size());
    map_->sa_encode(n, x.data(), codes.data());
    map_->add_codes(n, codes.data(), ids.data());
    add_sa_codes(*ref_, n, codes.data(), ids.data());
  }

  void expect_same_results(const char* step) {
    ASSERT_EQ(map_->ntotal, ref_->ntotal) << step;
    const idx_t nq = 20;
    const std::vector<float> q = testing::gaussian_rows(90000, nq, kDim, 5);
    std::vector<float> d(nq * kK), rd(nq * kK);
    std::vector<idx_t> l(nq * kK), rl(nq * kK);
    map_->search(nq, q.data(), kK, d.data(), l.data());
    ref_->search(nq, q.data(), kK, rd.data(), rl.data());
    for (size_t i = 0; i < l.size(); ++i) {
      ASSERT_EQ(l[i], rl[i]) << step << " at " << i;
      ASSERT_EQ(d[i], rd[i]) << step << " at " << i;
    }
    for (idx_t p = 0; p < map_->ntotal; ++p) ASSERT_EQ(map_->id_at(p), ref_->id_map[p]) << step << " position " << p;
  }

  std::unique_ptr<IdRangeMap> map_;
  std::unique_ptr<faiss::Index> ref_inner_;
  std::unique_ptr<faiss::IndexIDMap> ref_;
};

TEST_P(IdRangeMapTest, AnswersLikeIndexIDMapAndHoldsNoIdsWhileContiguous) {
  add(0, testing::id_range(100, 120));
  add(120, testing::id_range(220, 80));  // continues the run in a second batch
  EXPECT_TRUE(map_->contiguous());
  EXPECT_EQ(map_->id_bytes(), 0u);
  expect_same_results("contiguous");

  add(200, {300, 301, 310, 302});  // the run breaks in the middle of a batch
  EXPECT_FALSE(map_->contiguous());
  EXPECT_EQ(map_->id_bytes(), map_->ntotal * sizeof(idx_t)) << "exact reservation, no growth slack";
  expect_same_results("broken mid-batch");

  add(204, {7, 5000});  // and at the start of one
  expect_same_results("explicit appends");

  const std::vector<idx_t> gone = {100, 150, 310, 5000, 123456 /* absent */};
  faiss::IDSelectorBatch selector(static_cast<idx_t>(gone.size()), gone.data());
  faiss::IDSelectorBatch ref_selector(static_cast<idx_t>(gone.size()), gone.data());
  EXPECT_EQ(map_->remove_ids(selector), ref_->remove_ids(ref_selector));
  expect_same_results("after remove");

  const std::vector<float> x = testing::gaussian_rows(300, 3, kDim, 4);
  const std::vector<idx_t> ids = {9000, 9001, 9002};
  map_->add_with_ids(3, x.data(), ids.data());
  ref_->add_with_ids(3, x.data(), ids.data());
  expect_same_results("add_with_ids");

  map_->reset();
  EXPECT_EQ(map_->ntotal, 0);
  EXPECT_TRUE(map_->contiguous());
  EXPECT_EQ(map_->id_bytes(), 0u);
}

TEST_P(IdRangeMapTest, RemovingFromAContiguousRunMatchesIndexIDMap) {
  add(0, testing::id_range(0, 200));
  const std::vector<idx_t> gone = {0, 57, 199};
  faiss::IDSelectorBatch selector(3, gone.data());
  faiss::IDSelectorBatch ref_selector(3, gone.data());
  EXPECT_EQ(map_->remove_ids(selector), 3u);
  EXPECT_EQ(ref_->remove_ids(ref_selector), 3u);
  expect_same_results("remove from run");
}

TEST_P(IdRangeMapTest, AReservationHoldsWhenTheRunBreaksLater) {
  map_->reserve(260);
  add(0, testing::id_range(0, 100));
  EXPECT_EQ(map_->id_bytes(), 0u);
  for (size_t b = 0; b < 4; ++b) {  // 4 sparse batches of 40: growth from 140 would give 280, not 260
    std::vector<idx_t> sparse(40);
    for (size_t i = 0; i < sparse.size(); ++i) sparse[i] = 1000 + 3 * static_cast<idx_t>(b * 40 + i);
    add(100 + b * 40, sparse);
  }
  EXPECT_EQ(map_->id_bytes(), 260 * sizeof(idx_t)) << "sized once for the 260 announced vectors";
  expect_same_results("reserved, then broken");
}

TEST_P(IdRangeMapTest, RejectsAddsWithoutIdsAndSelectors) {
  const std::vector<float> x = testing::gaussian_rows(0, 1, kDim, 4);
  EXPECT_THROW(map_->add(1, x.data()), InvalidArgument);
  EXPECT_THROW(map_->add_codes(1, nullptr, nullptr), InvalidArgument);
  add(0, {3});
  faiss::IDSelectorRange range(0, 10);
  faiss::SearchParameters params;
  params.sel = &range;
  float d;
  idx_t l;
  EXPECT_THROW(map_->search(1, x.data(), 1, &d, &l, &params), InvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Storage, IdRangeMapTest, ::testing::Values("Flat", "RaBitQ1", "TQ4"));

}  // namespace
}  // namespace ipaq::storage
