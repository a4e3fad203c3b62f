#include "index/index_codes.h"

#include <faiss/IndexIDMap.h>
#include <faiss/IndexPQFastScan.h>
#include <gtest/gtest.h>

#include "index/index_codec_flat.h"
#include "index/index_factory.h"
#include "index/index_io.h"
#include "lib/core/error.h"
#include "tests/index/index_test_util.h"

namespace ipaq {
namespace {

using idx_t = faiss::Index::idx_t;
constexpr size_t kD = 32, kNb = 500, kNq = 6, kK = 8;

// Two identical trained, empty copies of one index (a write/read round trip of the trained index).
std::pair<std::unique_ptr<faiss::Index>, std::unique_ptr<faiss::Index>> twins(const std::string& desc,
                                                                              const std::vector<float>& train) {
  auto index = index_factory(kD, desc, faiss::METRIC_L2);
  index->train(kNb, train.data());
  std::string bytes;
  write_index(index.get(), &bytes);
  return {read_index_bytes(bytes), read_index_bytes(bytes)};
}

void expect_same_search(const faiss::Index& a, const faiss::Index& b, const std::vector<float>& queries) {
  ASSERT_EQ(a.ntotal, b.ntotal);
  std::vector<float> Da(kNq * kK), Db(kNq * kK);
  std::vector<idx_t> Ia(kNq * kK), Ib(kNq * kK);
  a.search(kNq, queries.data(), kK, Da.data(), Ia.data());
  b.search(kNq, queries.data(), kK, Db.data(), Ib.data());
  EXPECT_EQ(Ia, Ib);
  EXPECT_EQ(Da, Db);
}

class AddSaCodes : public ::testing::TestWithParam<std::string> {};

// Adding vectors and appending their sa_encode codes must give indexes that search identically.
TEST_P(AddSaCodes, SameAsAddingVectors) {
  const auto base = testing::random_vectors(kNb, kD, 1.0f, 41);
  const auto queries = testing::random_vectors(kNq, kD, 1.0f, 42);
  auto [by_add, by_codes] = twins(GetParam(), base);
  by_add->add(kNb, base.data());
  std::vector<uint8_t> codes(kNb * by_add->sa_code_size());
  by_add->sa_encode(kNb, base.data(), codes.data());
  // Two batches, to exercise appending after existing codes (the fast-scan block tail); the memory is
  // reserved first as a reopen does.
  reserve_sa_codes(*by_codes, kNb);
  add_sa_codes(*by_codes, 123, codes.data(), nullptr);
  add_sa_codes(*by_codes, kNb - 123, codes.data() + 123 * by_add->sa_code_size(), nullptr);
  expect_same_search(*by_add, *by_codes, queries);
}

INSTANTIATE_TEST_SUITE_P(Descriptors, AddSaCodes,
                         ::testing::Values("TQ4", "RaBitQ1", "BSQ2x4", "IVF8,TQ2", "PQ8x8np", "SQ8", "IVF8,PQ8np"));

TEST(AddSaCodesTest, FastScanIdMapAndRerank) {
  const auto base = testing::random_vectors(kNb, kD, 1.0f, 43);
  const auto queries = testing::random_vectors(kNq, kD, 1.0f, 44);
  {
    // FAISS 1.7.3's IndexPQFastScan has no sa_encode: its codes come from compute_codes.
    auto [by_add, by_codes] = twins("PQ16x4fs", base);
    by_add->add(kNb, base.data());
    auto* fs = dynamic_cast<faiss::IndexFastScan*>(by_add.get());
    ASSERT_NE(fs, nullptr);
    std::vector<uint8_t> codes(kNb * fs->code_size);
    fs->compute_codes(codes.data(), kNb, base.data());
    add_sa_codes(*by_codes, 100, codes.data(), nullptr);
    add_sa_codes(*by_codes, kNb - 100, codes.data() + 100 * fs->code_size, nullptr);
    expect_same_search(*by_add, *by_codes, queries);
  }
  {
    auto [a, b] = twins("TQ4", base);
    faiss::IndexIDMap2 by_add(a.release()), by_codes(b.release());
    by_add.own_fields = by_codes.own_fields = true;
    std::vector<idx_t> ids(kNb);
    for (size_t i = 0; i < kNb; ++i) ids[i] = 5000 - 3 * idx_t(i);
    by_add.add_with_ids(kNb, base.data(), ids.data());
    std::vector<uint8_t> codes(kNb * by_add.index->sa_code_size());
    by_add.index->sa_encode(kNb, base.data(), codes.data());
    add_sa_codes(by_codes, kNb, codes.data(), ids.data());
    expect_same_search(by_add, by_codes, queries);
    EXPECT_THROW(add_sa_codes(by_codes, 1, codes.data(), nullptr), InvalidArgument);  // ids required
  }
  {
    auto [by_add, by_codes] = twins("TQ4,Rerank2", base);
    std::vector<uint8_t> codes(kNb * by_add->sa_code_size());
    by_add->add(kNb, base.data());
    by_add->sa_encode(kNb, base.data(), codes.data());
    EXPECT_EQ(by_codes->sa_code_size(), by_add->sa_code_size());
    // The exact vectors are the VectorSource's business: give the in-memory source the same vectors.
    add_sa_codes(*by_codes, kNb, codes.data(), nullptr);
    EXPECT_EQ(by_codes->ntotal, idx_t(kNb));
  }
}

// reserve_sa_codes sizes the arrays exactly: appending the reserved vectors in chunks leaves no slack
// (the RSS of a reopened index is its code bytes, not up to twice that).
TEST(AddSaCodesTest, ReserveLeavesNoSlack) {
  const auto base = testing::random_vectors(kNb, kD, 1.0f, 46);
  auto [flat, unused] = twins("TQ4", base);
  std::vector<uint8_t> codes(kNb * flat->sa_code_size());
  flat->sa_encode(kNb, base.data(), codes.data());
  const std::vector<idx_t> ids = [] {
    std::vector<idx_t> v(kNb);
    for (size_t i = 0; i < kNb; ++i) v[i] = static_cast<idx_t>(1000 + 3 * i);
    return v;
  }();
  faiss::IndexIDMap map(flat.get());
  reserve_sa_codes(map, kNb);
  for (size_t done = 0; done < kNb; done += 100) {
    const size_t m = std::min<size_t>(100, kNb - done);
    add_sa_codes(map, static_cast<idx_t>(m), codes.data() + done * flat->sa_code_size(), ids.data() + done);
  }
  auto& inner = dynamic_cast<IndexCodecFlat&>(*map.index);
  EXPECT_EQ(inner.codes.capacity(), inner.codes.size());
  EXPECT_EQ(inner.packed_codes().capacity(), inner.packed_codes().size());
  EXPECT_EQ(map.id_map.capacity(), kNb);
}

TEST(AddSaCodesTest, RejectsBadInput) {
  const auto base = testing::random_vectors(kNb, kD, 1.0f, 45);
  auto [flat, unused] = twins("TQ4", base);
  std::vector<uint8_t> codes(flat->sa_code_size());
  flat->sa_encode(1, base.data(), codes.data());
  idx_t wrong_id = 7;
  EXPECT_THROW(add_sa_codes(*flat, 1, codes.data(), &wrong_id), InvalidArgument);
  EXPECT_THROW(add_sa_codes(*flat, -1, codes.data(), nullptr), InvalidArgument);
  EXPECT_THROW(reserve_sa_codes(*flat, -1), InvalidArgument);
  auto [ivf, unused2] = twins("IVF8,TQ2", base);
  std::vector<uint8_t> ivf_code(ivf->sa_code_size(), 0xff);  // list number 255 >= nlist
  EXPECT_THROW(add_sa_codes(*ivf, 1, ivf_code.data(), nullptr), InvalidArgument);
}

}  // namespace
}  // namespace ipaq
