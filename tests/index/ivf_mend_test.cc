// Review findings on the IVF index (index/index_codec_ivf.cc, index/ivf_packed_lists.cc): every batch
// operation that can be refused is all or nothing. add_core with list numbers >= nlist (refused) or < 0
// (skipped as FAISS does), update_vectors with a bad id in the middle, update_entries with a bad sub-code
// in a later block, merge_from with a failing list, an append that fails under a direct map (8-bit layout,
// IP): each leaves lists, ids, direct map, ntotal and searches as they were.
#include <faiss/IndexFlat.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "index/index_codec_ivf.h"
#include "index/ivf_packed_lists.h"
#include "lib/core/error.h"
#include "tests/index/index_test_util.h"
#include "tests/index/ivf_test_support.h"
#include "tests/index/test_codecs.h"

namespace ipaq {
namespace {

using idx_t = faiss::Index::idx_t;
constexpr size_t kDim = 32;
constexpr size_t kNlist = 8;
using testing::empty_copy;
using testing::FailingLists;
using testing::for_layouts_and_metrics;

std::unique_ptr<IndexCodecIVF> trained(const char* descriptor, faiss::MetricType metric, const std::vector<float>& x) {
  return testing::trained_ivf(descriptor, kDim, metric, kNlist, x);
}

// Everything a refused call must leave as it was: per list the ids and assembled codes, the direct map,
// ntotal, and the results (labels and distances) of a search.
struct Snapshot {
  std::vector<std::vector<idx_t>> ids;
  std::vector<std::vector<uint8_t>> codes;
  std::vector<idx_t> map, labels;
  std::vector<float> distances;
  idx_t ntotal = 0;
  bool operator==(const Snapshot&) const = default;
};

Snapshot snapshot(const IndexCodecIVF& index, const std::vector<float>& queries) {
  Snapshot s;
  const faiss::InvertedLists& lists = *index.invlists;
  for (size_t list = 0; list < index.nlist; ++list) {
    const size_t n = lists.list_size(list);
    s.ids.emplace_back();
    s.codes.emplace_back();
    if (n == 0) continue;
    faiss::InvertedLists::ScopedIds ids(&lists, list);
    faiss::InvertedLists::ScopedCodes codes(&lists, list);
    s.ids.back().assign(ids.get(), ids.get() + n);
    s.codes.back().assign(codes.get(), codes.get() + n * lists.code_size);
  }
  s.map = index.direct_map.array;
  s.ntotal = index.ntotal;
  const size_t nq = queries.size() / kDim, k = 10;
  s.labels.resize(nq * k);
  s.distances.resize(nq * k);
  faiss::SearchParametersIVF params;
  params.nprobe = 3;
  index.search(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k), s.distances.data(), s.labels.data(),
               &params);
  return s;
}

// Finding 4: a list number >= nlist is refused before anything is added (it used to index past begin[]);
// list numbers < 0 are skipped as FAISS's add_core skips them: counted in ntotal, list -1 in the direct map.
TEST(IvfMend, AddCoreChecksListNumbers) {
  const auto base = testing::random_vectors(600, kDim, 1.0f, 301);
  const auto queries = testing::random_vectors(8, kDim, 1.0f, 302);
  for_layouts_and_metrics([&](const char* descriptor, faiss::MetricType metric) {
    auto index = trained(descriptor, metric, base);
    index->make_direct_map(true);
    index->add(500, base.data());
    const Snapshot before = snapshot(*index, queries);
    const float* x = base.data() + 500 * kDim;
    for (idx_t bad : {static_cast<idx_t>(kNlist), idx_t{1} << 40}) {
      const idx_t lists[3] = {0, bad, 1};
      EXPECT_THROW(index->add_core(3, x, nullptr, lists), InvalidArgument);
      EXPECT_TRUE(snapshot(*index, queries) == before);
    }
    const idx_t lists[3] = {0, -2, 1};
    const size_t size0 = index->invlists->list_size(0), size1 = index->invlists->list_size(1);
    index->add_core(3, x, nullptr, lists);
    EXPECT_EQ(index->ntotal, 503);
    EXPECT_EQ(index->invlists->list_size(0), size0 + 1);
    EXPECT_EQ(index->invlists->list_size(1), size1 + 1);
    ASSERT_EQ(index->direct_map.array.size(), 503u);
    EXPECT_EQ(index->direct_map.array[501], faiss::lo_build(-1, 0));  // FAISS's DirectMapAdd: "no list"
    EXPECT_EQ(index->direct_map.array[500], faiss::lo_build(0, size0));
    EXPECT_EQ(index->direct_map.array[502], faiss::lo_build(1, size1));
    snapshot(*index, queries);  // search checks that every entry has its L2 term
  });
}

// Finding 3: update_vectors checks every id before any vector moves: a bad id (out of range, negative, or
// one that was never added) in the middle leaves the index as it was; a good batch still updates.
TEST(IvfMend, UpdateVectorsBadIdChangesNothing) {
  const auto base = testing::random_vectors(400, kDim, 1.0f, 303);
  const auto fresh = testing::random_vectors(3, kDim, 1.0f, 304);
  const auto queries = testing::random_vectors(8, kDim, 1.0f, 305);
  for_layouts_and_metrics([&](const char* descriptor, faiss::MetricType metric) {
    auto index = trained(descriptor, metric, base);
    auto twin = empty_copy(*index);  // before the skipped vector below (the index file would refuse it)
    index->make_direct_map(true);
    index->add(390, base.data());
    const idx_t skipped[1] = {-1};
    index->add_core(1, base.data() + 390 * kDim, nullptr, skipped);  // id 390: not in any list
    const Snapshot before = snapshot(*index, queries);
    for (idx_t bad : {idx_t{391}, idx_t{-1}, idx_t{390}}) {
      const idx_t ids[3] = {3, bad, 7};
      EXPECT_THROW(index->update_vectors(3, ids, fresh.data()), InvalidArgument) << bad;
      EXPECT_TRUE(snapshot(*index, queries) == before) << bad;
    }
    const idx_t ids[3] = {3, 200, 7};
    if (std::string(descriptor) == "RaBitQ1") {
      // An append that throws part-way (an allocation failure stand-in): the L2 terms stay in sync (the index
      // still searches), and the vector being moved is in no list, not pointing at another's entry.
      auto* failing = new FailingLists(kNlist, twin->codec());
      twin->replace_invlists(failing, true);
      twin->make_direct_map(true);
      twin->add(390, base.data());
      std::vector<idx_t> assign(3);
      twin->quantizer->assign(3, fresh.data(), assign.data());
      failing->fail_list = static_cast<size_t>(assign[1]);
      failing->allowed = assign[0] == assign[1] ? 1 : 0;  // the second vector's append fails
      EXPECT_THROW(twin->update_vectors(3, ids, fresh.data()), StateError);
      snapshot(*twin, queries);  // search checks that every entry has its L2 term
      EXPECT_LT(twin->direct_map.array[200], 0);
      EXPECT_GE(twin->direct_map.array[3], 0);
    }
    index->update_vectors(3, ids, fresh.data());
    EXPECT_EQ(index->ntotal, 391);
    std::vector<float> got(kDim), want(kDim);
    for (size_t i = 0; i < 3; ++i) {
      index->reconstruct(ids[i], got.data());
      std::vector<uint8_t> code(index->sa_code_size());
      index->sa_encode(1, fresh.data() + i * kDim, code.data());
      index->sa_decode(1, code.data(), want.data());
      EXPECT_EQ(got, want) << "id " << ids[i];
    }
    snapshot(*index, queries);  // search checks that every entry has its L2 term
  });
}

// A 4-bit LUT codec whose codes with a negative stored norm yield sub-code 16 (a corrupted code no real
// codec produces): the packed lists must refuse it.
class BadSubCodec : public testing::Uniform4bitCodec {
 public:
  using Uniform4bitCodec::Uniform4bitCodec;
  void extract_sub_codes(size_t n, const uint8_t* codes, uint8_t* out) const override {
    Uniform4bitCodec::extract_sub_codes(n, codes, out);
    for (size_t i = 0; i < n; ++i) {
      if (stored_norm_sq(codes + i * code_size()) < 0) out[i * lut_nsub()] = 16;
    }
  }
};

// Finding 2: update_entries with a bad sub-code in a later block than its first entries: refused, the
// list's ids, codes and change mark as they were.
TEST(IvfMend, UpdateEntriesBadCodeChangesNothing) {
  BadSubCodec codec(kDim, 1.0f);
  const auto x = testing::random_vectors(100, kDim, 1.0f, 306);
  std::vector<uint8_t> codes(100 * codec.code_size());
  codec.encode(100, x.data(), codes.data());
  std::vector<idx_t> ids(100);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<idx_t>(1000 + i);
  PackedInvertedLists lists(2, codec);
  lists.add_entries(1, 70, ids.data(), codes.data());
  lists.clear_changes(1);
  std::vector<uint8_t> before(70 * codec.code_size()), after(before.size());
  lists.read_codes(1, 0, 70, before.data());
  const std::vector<idx_t> ids_before(lists.get_ids(1), lists.get_ids(1) + 70);
  // Entries [10, 50) of list 1 from codes 60..99; the one landing at offset 40 (block 1, after block 0's
  // lanes 10..31 would have been written) is corrupted.
  std::vector<uint8_t> update(codes.begin() + 60 * static_cast<long>(codec.code_size()), codes.end());
  const float negative = -1.0f;
  std::memcpy(update.data() + 30 * codec.code_size() + codec.lut_side_offset(), &negative, sizeof(float));
  EXPECT_THROW(lists.update_entries(1, 10, 40, ids.data() + 60, update.data()), InvalidArgument);
  lists.read_codes(1, 0, 70, after.data());
  EXPECT_EQ(after, before);
  EXPECT_EQ(std::vector<idx_t>(lists.get_ids(1), lists.get_ids(1) + 70), ids_before);
  EXPECT_EQ(lists.first_changed(1), PackedInvertedLists::kUnchanged);
  // Without the corrupted entry the same update goes through.
  std::memcpy(update.data() + 30 * codec.code_size() + codec.lut_side_offset(),
              codes.data() + 90 * codec.code_size() + codec.lut_side_offset(), sizeof(float));
  lists.update_entries(1, 10, 40, ids.data() + 60, update.data());
  lists.read_codes(1, 10, 40, after.data());
  EXPECT_TRUE(std::equal(update.begin(), update.end(), after.begin()));
  EXPECT_EQ(lists.first_changed(1), 10u);
}

// Finding 5: merge_from is all or nothing: a list whose append throws leaves both indexes as they were
// (no std::terminate from an OpenMP region); the retried merge equals one build of all the vectors.
TEST(IvfMend, MergeFromFailureChangesNeitherIndex) {
  const size_t nb = 900;
  const auto base = testing::random_vectors(nb, kDim, 1.0f, 307);
  const auto queries = testing::random_vectors(8, kDim, 1.0f, 308);
  for_layouts_and_metrics([&](const char* descriptor, faiss::MetricType metric) {
    auto all = trained(descriptor, metric, base);
    auto a = empty_copy(*all), b = empty_copy(*all);
    auto* failing = new FailingLists(kNlist, a->codec());
    a->replace_invlists(failing, true);
    all->add(static_cast<idx_t>(nb), base.data());
    a->add(300, base.data());
    b->add(static_cast<idx_t>(nb - 300), base.data() + 300 * kDim);
    const Snapshot a_before = snapshot(*a, queries), b_before = snapshot(*b, queries);
    failing->fail_list = 5;
    failing->allowed = 0;
    EXPECT_THROW(a->merge_from(*b, 300), StateError);
    EXPECT_TRUE(snapshot(*a, queries) == a_before);
    EXPECT_TRUE(snapshot(*b, queries) == b_before);
    failing->allowed = 1 << 30;
    a->merge_from(*b, 300);
    EXPECT_EQ(b->ntotal, 0);
    EXPECT_TRUE(snapshot(*a, queries) == snapshot(*all, queries));
  });
}

// Findings 13/14: an append that fails for one list under a direct map (4-bit and 8-bit layouts, L2 and
// IP) adds nothing: lists, direct map, ntotal and searches as before; the retried add equals a fresh one.
TEST(IvfMend, FailedAddLeavesDirectMap) {
  const size_t chunk = 300;
  const auto base = testing::random_vectors(2 * chunk, kDim, 1.0f, 309);
  const auto queries = testing::random_vectors(8, kDim, 1.0f, 310);
  for_layouts_and_metrics([&](const char* descriptor, faiss::MetricType metric) {
    auto index = trained(descriptor, metric, base);
    auto reference = empty_copy(*index);
    auto* failing = new FailingLists(kNlist, index->codec());
    index->replace_invlists(failing, true);
    index->make_direct_map(true);
    reference->make_direct_map(true);
    index->add(static_cast<idx_t>(chunk), base.data());
    reference->add(static_cast<idx_t>(chunk), base.data());
    const Snapshot before = snapshot(*index, queries);
    ASSERT_EQ(before.map.size(), chunk);
    failing->fail_list = 5;
    failing->allowed = 0;
    EXPECT_THROW(index->add(static_cast<idx_t>(chunk), base.data() + chunk * kDim), StateError);
    EXPECT_TRUE(snapshot(*index, queries) == before);
    failing->allowed = 1 << 30;
    index->add(static_cast<idx_t>(chunk), base.data() + chunk * kDim);
    reference->add(static_cast<idx_t>(chunk), base.data() + chunk * kDim);
    EXPECT_TRUE(snapshot(*index, queries) == snapshot(*reference, queries));
  });
}

// Review (session 5), finding 1: a damaged code with a sub-code >= 16 must be refused before the L2 terms'
// LUT sums index a 16-float row with it (an older order read past the row: ASan reports it). Through
// add_sa_codes (the reopen's path) under L2, where the terms exist: InvalidArgument, nothing added. The terms
// are computed from the packed list after its append succeeded, so they only ever see checked sub-codes.
TEST(IvfMend, DamagedSubCodeIsRefusedBeforeTheL2Terms) {
  const std::vector<float> x = testing::random_vectors(200, kDim, 1.0f, 309);
  IndexCodecIVF index(std::make_unique<faiss::IndexFlatL2>(static_cast<int>(kDim)), 2,
                      std::make_unique<BadSubCodec>(kDim, 1.0f), faiss::METRIC_L2, true);
  index.train(200, x.data());
  ASSERT_TRUE(index.uses_fastscan());
  const size_t code_size = index.sa_code_size();
  std::vector<uint8_t> codes(200 * code_size);
  index.sa_encode(200, x.data(), codes.data());
  std::vector<idx_t> ids(200);
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<idx_t>(i);
  index.add_sa_codes(100, codes.data(), ids.data());
  // Row 150's stored norm made negative: BadSubCodec then yields sub-code 16 for it.
  const float negative = -1.0f;
  std::memcpy(codes.data() + 150 * code_size + code_size - index.codec().code_size() +
                  index.codec().lut_side_offset(),
              &negative, sizeof(float));
  EXPECT_THROW(index.add_sa_codes(100, codes.data() + 100 * code_size, ids.data() + 100), InvalidArgument);
  EXPECT_EQ(index.ntotal, 100);

  // The packed list alone refuses the damaged block and keeps nothing of the call.
  BadSubCodec codec(kDim, 1.0f);
  std::vector<uint8_t> plain(200 * codec.code_size());
  codec.encode(200, x.data(), plain.data());
  std::memcpy(plain.data() + 150 * codec.code_size() + codec.lut_side_offset(), &negative, sizeof(float));
  PackedInvertedLists lists(1, codec);
  EXPECT_THROW(lists.add_entries(0, 200, ids.data(), plain.data()), InvalidArgument);
  EXPECT_EQ(lists.list_size(0), 0u);
}

}  // namespace
}  // namespace ipaq
