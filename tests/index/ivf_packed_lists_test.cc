// PackedInvertedLists (index/ivf_packed_lists.h) and IndexCodecIVF over it: each entry held once, codes
// assembled byte for byte on demand, searches that never assemble, and every FAISS path that moves codes
// (remove_ids, update_vectors, merge_from, files) equal to a fresh build.
#include "index/ivf_packed_lists.h"

#include <faiss/IndexFlat.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/IDSelector.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "index/index_codec_ivf.h"
#include "index/index_io.h"
#include "lib/scan/fastscan_8bit_layout.h"
#include "lib/scan/fastscan_layout.h"
#include "lib/codecs/codec.h"
#include "lib/core/error.h"
#include "tests/index/index_test_util.h"
#include "tests/index/ivf_test_support.h"
#include "tests/index/test_codecs.h"

namespace ipaq {
namespace {

using idx_t = faiss::Index::idx_t;
constexpr size_t kDim = 64;
using testing::empty_copy;
using testing::FailingLists;
using testing::for_layouts_and_metrics;

// 4-bit LUT with one group (RaBitQ1) and two groups (TQP3), 8-bit LUT (TQ3), 4-bit scalar codes (TQ4).
const char* const kCodecs[] = {"RaBitQ1", "TQP3", "TQ3", "TQ4"};

std::unique_ptr<IndexCodecIVF> make_trained(const std::string& descriptor, faiss::MetricType metric, size_t nlist,
                                            const std::vector<float>& train, bool fastscan = true) {
  return testing::trained_ivf(descriptor, kDim, metric, nlist, train, fastscan);
}

void expect_same_search(const faiss::Index& a, const faiss::Index& b, const std::vector<float>& queries,
                        size_t k, size_t nprobe) {
  const size_t nq = queries.size() / kDim;
  std::vector<float> Da(nq * k), Db(nq * k);
  std::vector<idx_t> Ia(nq * k), Ib(nq * k);
  faiss::SearchParametersIVF params;
  params.nprobe = nprobe;
  a.search(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k), Da.data(), Ia.data(), &params);
  b.search(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k), Db.data(), Ib.data(), &params);
  EXPECT_EQ(Ia, Ib);
  EXPECT_EQ(Da, Db);
}

std::vector<uint8_t> list_codes(const faiss::InvertedLists& lists, size_t list) {
  const size_t n = lists.list_size(list);
  faiss::InvertedLists::ScopedCodes codes(&lists, list);
  return n == 0 ? std::vector<uint8_t>() : std::vector<uint8_t>(codes.get(), codes.get() + n * lists.code_size);
}

// The lists store what they are given: after appends in pieces that start and end inside blocks, overwrites
// (one starting at a block boundary with entries after it, one crossing blocks), cuts and re-appends,
// get_codes / get_single_code give back the expected codes byte for byte (codes from encode()), get_ids
// the ids; the arrays have exactly the documented sizes; each packed array equals a from-scratch packing
// of the list's codes byte for byte, padding lanes (zero) included — the lists grow their packed arrays
// uninitialised and write every new byte, so heap memory left full of 0xA5 by earlier frees must not show.
TEST(PackedInvertedLists, CodesComeBackByteForByte) {
  for (size_t bytes = 64; bytes <= (size_t{1} << 16); bytes *= 2) {  // freed chunks the lists may reuse
    std::vector<std::vector<uint8_t>> garbage(16, std::vector<uint8_t>(bytes, 0xA5));
  }
  const size_t n = 400;
  const auto x = testing::random_vectors(n, kDim, 1.0f, 81);
  for (const char* descriptor : kCodecs) {
    SCOPED_TRACE(descriptor);
    auto codec = make_codec(descriptor, kDim);
    if (!codec->is_trained()) codec->train(n, x.data());
    const size_t cs = codec->code_size();
    std::vector<uint8_t> codes(n * cs);
    codec->encode(n, x.data(), codes.data());
    PackedInvertedLists lists(3, *codec);
    ASSERT_EQ(lists.code_size, cs);
    ASSERT_TRUE((lists.layout4() != nullptr) != (lists.layout8() != nullptr));
    EXPECT_EQ(lists.layout8() != nullptr, codec->lut_bits() == 8);
    std::vector<idx_t> ids(n);
    for (size_t i = 0; i < n; ++i) ids[i] = static_cast<idx_t>(1000 + 7 * i);
    std::vector<std::vector<uint8_t>> expect(3);
    std::vector<std::vector<idx_t>> expect_ids(3);
    auto add = [&](size_t list, size_t first, size_t count) {
      EXPECT_EQ(lists.add_entries(list, count, ids.data() + first, codes.data() + first * cs),
                expect_ids[list].size());
      expect[list].insert(expect[list].end(), codes.begin() + first * cs, codes.begin() + (first + count) * cs);
      expect_ids[list].insert(expect_ids[list].end(), ids.begin() + first, ids.begin() + first + count);
    };
    auto update = [&](size_t list, size_t offset, size_t first, size_t count) {
      lists.update_entries(list, offset, count, ids.data() + first, codes.data() + first * cs);
      std::copy_n(codes.begin() + first * cs, count * cs, expect[list].begin() + offset * cs);
      std::copy_n(ids.begin() + first, count, expect_ids[list].begin() + offset);
    };
    auto check = [&] {
      size_t total = 0, packed = 0;
      for (size_t list = 0; list < 3; ++list) {
        const size_t size = expect_ids[list].size();
        ASSERT_EQ(lists.list_size(list), size);
        EXPECT_EQ(list_codes(lists, list), expect[list]) << "list " << list;
        faiss::InvertedLists::ScopedIds got_ids(&lists, list);
        EXPECT_TRUE(std::equal(expect_ids[list].begin(), expect_ids[list].end(), got_ids.get()));
        for (size_t offset : {size_t{0}, size / 2, size - 1}) {
          if (offset >= size) continue;
          faiss::InvertedLists::ScopedCodes one(&lists, list, offset);
          EXPECT_TRUE(std::equal(one.get(), one.get() + cs, expect[list].begin() + offset * cs)) << offset;
          EXPECT_EQ(lists.get_single_id(list, offset), expect_ids[list][offset]);
        }
        total += size;
        const size_t packed_size = lists.layout4() ? lists.layout4()->packed_bytes(size) : lists.layout8()->packed_bytes(size);
        packed += packed_size;
        if (size > 0) {
          std::vector<uint8_t> sub(size * codec->lut_nsub()), fresh(packed_size, 0);
          codec->extract_sub_codes(size, expect[list].data(), sub.data());
          if (lists.layout4()) {
            pack_4bit_codes(*lists.layout4(), size, sub.data(), fresh.data());
          } else {
            pack_8bit_codes(*lists.layout8(), size, sub.data(), fresh.data());
          }
          EXPECT_TRUE(std::equal(fresh.begin(), fresh.end(), lists.packed(list))) << "list " << list;
        }
      }
      const PackedInvertedLists::Bytes b = lists.bytes();
      EXPECT_EQ(b.ids, total * sizeof(idx_t));
      EXPECT_EQ(b.side, total * codec->lut_side_size());
      EXPECT_EQ(b.packed, packed);
    };
    add(0, 0, 45);     // a block and a half
    add(0, 45, 70);    // starts and ends inside blocks
    add(0, 115, 1);    // FAISS's add_entry
    add(2, 116, 200);  // list 1 stays empty
    check();
    EXPECT_EQ(lists.first_changed(2), PackedInvertedLists::kUnchanged);
    update(2, 64, 316, 5);   // starts at a block boundary (both layouts), entries after it in the block
    update(2, 70, 321, 40);  // crosses a block boundary
    check();
    EXPECT_EQ(lists.first_changed(2), 64u);
    lists.resize(2, 77);  // a cut inside a block, then appends into its freed lanes
    expect[2].resize(77 * cs);
    expect_ids[2].resize(77);
    add(2, 361, 30);
    check();
    lists.resize(2, 64);  // a cut at a block boundary: the next append starts a new block over stale bytes
    expect[2].resize(64 * cs);
    expect_ids[2].resize(64);
    add(2, 385, 10);  // a new partial last block: its padding lanes must read zero
    check();
    lists.clear_changes(2);
    lists.resize(0, 0);
    expect[0].clear();
    expect_ids[0].clear();
    check();
    EXPECT_EQ(lists.get_codes(0), nullptr);
    EXPECT_EQ(lists.first_changed(0), 0u);
    EXPECT_EQ(lists.first_changed(2), PackedInvertedLists::kUnchanged);
    lists.shrink_to_fit();
    check();

    EXPECT_THROW(lists.add_entries(3, 1, ids.data(), codes.data()), InvalidArgument);
    EXPECT_THROW(lists.update_entries(2, 100, 8, ids.data(), codes.data()), InvalidArgument);
    std::vector<uint8_t> out(2 * cs);
    EXPECT_THROW(lists.read_codes(2, 106, 2, out.data()), InvalidArgument);
  }
  testing::ExactFloatCodec no_lut(kDim);
  EXPECT_THROW(PackedInvertedLists(2, no_lut), InvalidArgument);
}

// Counts the codes assembled for FAISS (get_codes / get_single_code).
class CountingLists : public PackedInvertedLists {
 public:
  using PackedInvertedLists::PackedInvertedLists;
  const uint8_t* get_codes(size_t list_no) const override {
    ++assembled;
    return PackedInvertedLists::get_codes(list_no);
  }
  const uint8_t* get_single_code(size_t list_no, size_t offset) const override {
    ++assembled;
    return PackedInvertedLists::get_single_code(list_no, offset);
  }
  mutable std::atomic<int> assembled{0};
};

// The search reads the packed lists directly: search (with and without a selector, batch and single
// query) and search_preassigned with store_pairs assemble no code; reconstruct assembles one. With
// store_pairs the labels are (list, offset) pairs of the entries the plain search returns, at the same
// distances; a selector with store_pairs is refused; max_codes = 1 stops each query after its first
// non-empty list (the same results as nprobe = 1 when that list is the nearest one); a bad list number
// thrown inside the OpenMP loop reaches the caller as InvalidArgument.
TEST(IndexCodecIVF, SearchReadsThePackedListsDirectly) {
  const size_t nb = 2000, nq = 16, k = 10, nlist = 16;
  const auto base = testing::random_vectors(nb, kDim, 1.0f, 82);
  const auto queries = testing::random_vectors(nq, kDim, 1.0f, 83);
  for (faiss::MetricType metric : {faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT}) {
    SCOPED_TRACE(metric == faiss::METRIC_L2 ? "L2" : "IP");
    auto index = make_trained("RaBitQ1", metric, nlist, base);
    auto* counting = new CountingLists(nlist, index->codec());
    index->replace_invlists(counting, true);
    ASSERT_TRUE(index->uses_fastscan());
    index->make_direct_map(true);
    index->add(static_cast<idx_t>(nb), base.data());
    counting->assembled = 0;
    std::vector<float> D(nq * k), Dp(nq * k), D1(nq * k);
    std::vector<idx_t> I(nq * k), Ip(nq * k), I1(nq * k);
    faiss::SearchParametersIVF params;
    params.nprobe = 4;
    index->search(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k), D.data(), I.data(), &params);
    index->search(1, queries.data(), static_cast<idx_t>(k), D1.data(), I1.data(), &params);
    faiss::IDSelectorRange half(0, static_cast<idx_t>(nb / 2));
    faiss::SearchParametersIVF with_sel = params;
    with_sel.sel = &half;
    index->search(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k), Dp.data(), Ip.data(), &with_sel);
    for (idx_t id : Ip) EXPECT_LT(id, static_cast<idx_t>(nb / 2));

    std::vector<idx_t> keys(nq * params.nprobe);
    std::vector<float> coarse(nq * params.nprobe);
    index->quantizer->search(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(params.nprobe),
                             coarse.data(), keys.data());
    index->search_preassigned(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k), keys.data(),
                              coarse.data(), Dp.data(), Ip.data(), true, &params);
    EXPECT_EQ(counting->assembled, 0);
    EXPECT_EQ(Dp, D);
    for (size_t r = 0; r < nq * k; ++r) {
      ASSERT_GE(Ip[r], 0);
      EXPECT_EQ(index->invlists->get_single_id(static_cast<size_t>(faiss::lo_listno(Ip[r])),
                                               static_cast<size_t>(faiss::lo_offset(Ip[r]))),
                I[r]);
    }
    for (size_t r = 0; r < k; ++r) EXPECT_EQ(I1[r], I[r]);  // one query alone = the same query in a batch
    EXPECT_THROW(index->search_preassigned(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k),
                                           keys.data(), coarse.data(), Dp.data(), Ip.data(), true, &with_sel),
                 InvalidArgument);
    // A list number out of range met inside the parallel loop over queries comes out as InvalidArgument.
    std::vector<idx_t> bad_keys = keys;
    bad_keys[(nq - 1) * params.nprobe + 1] = static_cast<idx_t>(nlist + 3);
    EXPECT_THROW(index->search_preassigned(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k),
                                           bad_keys.data(), coarse.data(), Dp.data(), Ip.data(), false, &params),
                 InvalidArgument);

    faiss::SearchParametersIVF one_list = params, max_codes = params;
    one_list.nprobe = 1;
    max_codes.max_codes = 1;
    index->search(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k), D.data(), I.data(), &one_list);
    index->search(static_cast<idx_t>(nq), queries.data(), static_cast<idx_t>(k), Dp.data(), Ip.data(), &max_codes);
    EXPECT_EQ(Ip, I);
    EXPECT_EQ(Dp, D);
    EXPECT_EQ(counting->assembled, 0);
    std::vector<float> recons(kDim);
    index->reconstruct(5, recons.data());
    EXPECT_EQ(counting->assembled, 1);
  }
}

// remove_ids (FAISS moves entries inside lists, entry by entry) leaves the index searching exactly as an
// index built from the kept vectors only (same ids, same centroids and codec): same labels, same
// distances, at every nprobe tested; the same bytes per vector. Both metrics, 4- and 8-bit layouts.
TEST(IndexCodecIVF, RemoveIdsThenSearchEqualsAFreshBuild) {
  const size_t nb = 1500, nlist = 8;
  const auto base = testing::random_vectors(nb, kDim, 1.0f, 84);
  const auto queries = testing::random_vectors(12, kDim, 1.0f, 85);
  for_layouts_and_metrics([&](const char* descriptor, faiss::MetricType metric) {
    auto full = make_trained(descriptor, metric, nlist, base);
    auto fresh = empty_copy(*full);
    full->add(static_cast<idx_t>(nb), base.data());
    std::vector<idx_t> drop;
    for (size_t i = 0; i < nb; ++i) {
      if (i % 3 == 0 || (i >= 500 && i < 620)) drop.push_back(static_cast<idx_t>(i));
    }
    faiss::IDSelectorBatch sel(drop.size(), drop.data());
    EXPECT_EQ(full->remove_ids(sel), drop.size());
    std::vector<float> kept;
    std::vector<idx_t> kept_ids;
    for (size_t i = 0; i < nb; ++i) {
      if (sel.is_member(static_cast<idx_t>(i))) continue;
      kept.insert(kept.end(), base.begin() + i * kDim, base.begin() + (i + 1) * kDim);
      kept_ids.push_back(static_cast<idx_t>(i));
    }
    fresh->add_with_ids(static_cast<idx_t>(kept_ids.size()), kept.data(), kept_ids.data());
    ASSERT_EQ(full->ntotal, fresh->ntotal);
    for (size_t nprobe : {1, 3, 8}) expect_same_search(*full, *fresh, queries, 10, nprobe);
    EXPECT_DOUBLE_EQ(full->storage_bytes_per_vector(), fresh->storage_bytes_per_vector());
  });
}

// merge_from appends the other index's entries list by list (through assembled codes) and empties it:
// the merged index searches exactly as one built from all the vectors in the same order; the emptied one
// still searches (no stale L2 terms) and finds nothing.
TEST(IndexCodecIVF, MergeFromEqualsOneBuild) {
  const size_t nb = 1200, nlist = 8, k = 10;
  const auto base = testing::random_vectors(nb, kDim, 1.0f, 86);
  const auto queries = testing::random_vectors(12, kDim, 1.0f, 87);
  for_layouts_and_metrics([&](const char* descriptor, faiss::MetricType metric) {
    auto all = make_trained(descriptor, metric, nlist, base);
    auto a = empty_copy(*all), b = empty_copy(*all);
    all->add(static_cast<idx_t>(nb), base.data());
    a->add(static_cast<idx_t>(nb / 3), base.data());
    std::vector<idx_t> ids(nb - nb / 3);
    for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<idx_t>(nb / 3 + i);
    b->add_with_ids(static_cast<idx_t>(ids.size()), base.data() + (nb / 3) * kDim, ids.data());
    a->merge_from(*b, 0);
    ASSERT_EQ(a->ntotal, static_cast<idx_t>(nb));
    EXPECT_EQ(b->ntotal, 0);
    expect_same_search(*a, *all, queries, k, 3);
    for (size_t list = 0; list < nlist; ++list) {
      EXPECT_EQ(list_codes(*a->invlists, list), list_codes(*all->invlists, list));
    }
    std::vector<float> D(k);
    std::vector<idx_t> I(k);
    b->search(1, queries.data(), static_cast<idx_t>(k), D.data(), I.data());
    EXPECT_EQ(std::count(I.begin(), I.end(), idx_t{-1}), static_cast<long>(k));
  });
}

// update_vectors with the Array direct map (FAISS's entry moves done by IndexCodecIVF, codes released)
// gives the index built from the updated vectors: same search, reconstruct = the new vector's decode.
TEST(IndexCodecIVF, UpdateVectorsEqualsAFreshBuild) {
  const size_t nb = 900, nlist = 8, nu = 60;
  auto base = testing::random_vectors(nb, kDim, 1.0f, 88);
  const auto fresh_rows = testing::random_vectors(nu, kDim, 1.0f, 89);
  const auto queries = testing::random_vectors(10, kDim, 1.0f, 90);
  for (faiss::MetricType metric : {faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT}) {
    SCOPED_TRACE(metric == faiss::METRIC_L2 ? "L2" : "IP");
    auto index = make_trained("RaBitQ1", metric, nlist, base);
    auto rebuilt = empty_copy(*index);
    index->make_direct_map(true);
    index->add(static_cast<idx_t>(nb), base.data());
    std::vector<idx_t> ids(nu);
    std::vector<float> updated = base;
    for (size_t i = 0; i < nu; ++i) {
      ids[i] = static_cast<idx_t>((i * 37) % nb);
      std::copy_n(fresh_rows.begin() + i * kDim, kDim, updated.begin() + ids[i] * kDim);
    }
    index->update_vectors(static_cast<int>(nu), ids.data(), fresh_rows.data());
    rebuilt->add(static_cast<idx_t>(nb), updated.data());
    ASSERT_EQ(index->ntotal, rebuilt->ntotal);
    expect_same_search(*index, *rebuilt, queries, 10, 3);
    std::vector<uint8_t> code(index->sa_code_size());
    std::vector<float> got(kDim), want(kDim);
    index->sa_encode(1, updated.data() + ids[7] * kDim, code.data());
    index->sa_decode(1, code.data(), want.data());
    index->reconstruct(ids[7], got.data());
    EXPECT_EQ(got, want);
  }
}

// The index file holds assembled codes (format unchanged): a round trip gives back the packed lists, the
// same codes list by list, the same search and the same bytes per vector.
TEST(IndexCodecIVF, FileRoundTripKeepsThePackedLists) {
  const size_t nb = 700, nlist = 8;
  const auto base = testing::random_vectors(nb, kDim, 1.0f, 91);
  const auto queries = testing::random_vectors(10, kDim, 1.0f, 92);
  for (const char* descriptor : kCodecs) {
    SCOPED_TRACE(descriptor);
    auto index = make_trained(descriptor, faiss::METRIC_L2, nlist, base);
    index->add(static_cast<idx_t>(nb), base.data());
    std::string bytes;
    write_index(index.get(), &bytes);
    std::unique_ptr<faiss::Index> read = read_index_bytes(bytes);
    auto* copy = dynamic_cast<IndexCodecIVF*>(read.get());
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(copy->uses_fastscan(), index->uses_fastscan());
    for (size_t list = 0; list < nlist; ++list) {
      EXPECT_EQ(list_codes(*copy->invlists, list), list_codes(*index->invlists, list));
    }
    expect_same_search(*copy, *index, queries, 10, 4);
    EXPECT_DOUBLE_EQ(copy->storage_bytes_per_vector(), index->storage_bytes_per_vector());
  }
}

// Lists left empty (more lists than vectors), k beyond the vectors probed, and an index emptied by
// remove_ids: searches give FAISS's missing-result convention (label -1), nothing throws.
TEST(IndexCodecIVF, EmptyListsAndAnEmptiedIndex) {
  const size_t nb = 20, nlist = 32, k = 25;
  const auto base = testing::random_vectors(1300, kDim, 1.0f, 93);  // FAISS wants >= 39 points per centroid
  for (const char* descriptor : {"RaBitQ1", "TQ3"}) {
    SCOPED_TRACE(descriptor);
    auto index = make_trained(descriptor, faiss::METRIC_L2, nlist, base);
    index->add(static_cast<idx_t>(nb), base.data());
    size_t empty = 0;
    for (size_t list = 0; list < nlist; ++list) empty += index->invlists->list_size(list) == 0;
    EXPECT_GT(empty, 0u);
    std::vector<float> D(k);
    std::vector<idx_t> I(k);
    faiss::SearchParametersIVF all;
    all.nprobe = nlist;
    index->search(1, base.data(), static_cast<idx_t>(k), D.data(), I.data(), &all);
    EXPECT_EQ(I[0], 0);
    EXPECT_EQ(std::count(I.begin(), I.end(), idx_t{-1}), static_cast<long>(k - nb));
    faiss::IDSelectorRange everything(0, static_cast<idx_t>(nb));
    EXPECT_EQ(index->remove_ids(everything), nb);
    EXPECT_EQ(index->ntotal, 0);
    EXPECT_EQ(index->storage_bytes_per_vector(), 0.0);
    index->search(1, base.data(), static_cast<idx_t>(k), D.data(), I.data(), &all);
    EXPECT_EQ(std::count(I.begin(), I.end(), idx_t{-1}), static_cast<long>(k));
  }
}

// Memory: with fast scan an entry costs its id, its packed sub-codes and side bytes (+ the L2 term), i.e.
// the code size + 12 bytes plus each list's last-block padding, never a second copy of the code; without
// fast scan, id + code + L2 term.
TEST(IndexCodecIVF, BytesPerVectorHoldEachCodeOnce) {
  const size_t nb = 3000, nlist = 8;
  const auto base = testing::random_vectors(nb, kDim, 1.0f, 94);
  for (const char* descriptor : kCodecs) {
    SCOPED_TRACE(descriptor);
    for (bool fastscan : {true, false}) {
      auto index = make_trained(descriptor, faiss::METRIC_L2, nlist, base, fastscan);
      index->add(static_cast<idx_t>(nb), base.data());
      ASSERT_EQ(index->uses_fastscan(), fastscan);
      const Codec& codec = index->codec();
      const double per = index->storage_bytes_per_vector();
      if (!fastscan) {
        EXPECT_DOUBLE_EQ(per, 8.0 + static_cast<double>(codec.code_size()) + 4.0);
        continue;
      }
      size_t packed = 0, padding_vectors = 0;
      const size_t block = index->fastscan_layout() ? FastScanLayout::kBlockSize : FastScan8Layout::kBlockSize;
      for (size_t list = 0; list < nlist; ++list) {
        const size_t size = index->invlists->list_size(list);
        packed += index->fastscan_layout() ? index->fastscan_layout()->packed_bytes(size)
                                           : index->fastscan8_layout()->packed_bytes(size);
        padding_vectors += (block - size % block) % block;
      }
      const double expect = (static_cast<double>(nb) * (8 + codec.lut_side_size() + 4) + static_cast<double>(packed)) /
                            static_cast<double>(nb);
      EXPECT_DOUBLE_EQ(per, expect);
      // The packed sub-codes cost the sub-code bytes of (nb + padding) vectors. 4-bit layouts: at most the
      // code's own bytes (half a byte more for an odd sub-code count); 8-bit: a byte per sub-code, which for
      // TQ3's 6-bit sub-codes is 4/3 of the bits they hold.
      const double sub_bytes = index->fastscan_layout()
                                   ? static_cast<double>(index->fastscan_layout()->block_bytes()) / FastScanLayout::kBlockSize
                                   : static_cast<double>(codec.lut_nsub());
      EXPECT_DOUBLE_EQ(static_cast<double>(packed), sub_bytes * static_cast<double>(nb + padding_vectors));
      if (index->fastscan_layout()) {
        EXPECT_LE(sub_bytes + codec.lut_side_size(), static_cast<double>(codec.code_size()) + 0.5);
      }
    }
  }
}

// FAISS's range search runs on assembled codes through the scanner's scan_codes_range (scalar
// estimator): the same (id, distance) pairs as the index without fast scan over the same centroids and
// codec, for both metrics; a selector is honoured.
TEST(IndexCodecIVF, RangeSearchMatchesTheScalarIndex) {
  const size_t nb = 1000, nq = 6, nlist = 8;
  const auto base = testing::random_vectors(nb, kDim, 1.0f, 95);
  const auto queries = testing::random_vectors(nq, kDim, 1.0f, 96);
  for (faiss::MetricType metric : {faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT}) {
    SCOPED_TRACE(metric == faiss::METRIC_L2 ? "L2" : "IP");
    auto fast = make_trained("RaBitQ1", metric, nlist, base);
    std::vector<float> centroids(nlist * kDim);
    fast->quantizer->reconstruct_n(0, static_cast<idx_t>(nlist), centroids.data());
    std::unique_ptr<faiss::Index> q;
    if (metric == faiss::METRIC_L2) q = std::make_unique<faiss::IndexFlatL2>(static_cast<int>(kDim));
    else q = std::make_unique<faiss::IndexFlatIP>(static_cast<int>(kDim));
    q->add(static_cast<idx_t>(nlist), centroids.data());
    IndexCodecIVF slow(std::move(q), nlist, make_codec("RaBitQ1", kDim), metric, false);
    fast->add(static_cast<idx_t>(nb), base.data());
    slow.add(static_cast<idx_t>(nb), base.data());
    faiss::IDSelectorRange odd_half(static_cast<idx_t>(nb / 2), static_cast<idx_t>(nb));
    for (faiss::IDSelector* sel : {static_cast<faiss::IDSelector*>(nullptr), static_cast<faiss::IDSelector*>(&odd_half)}) {
      faiss::SearchParametersIVF params;
      params.nprobe = 3;
      params.sel = sel;
      const float radius = metric == faiss::METRIC_L2 ? 30.0f : 1.0f;  // squared distances here ~25-60
      faiss::RangeSearchResult rf(static_cast<idx_t>(nq)), rs(static_cast<idx_t>(nq));
      fast->range_search(static_cast<idx_t>(nq), queries.data(), radius, &rf, &params);
      slow.range_search(static_cast<idx_t>(nq), queries.data(), radius, &rs, &params);
      size_t found = 0;
      for (size_t qi = 0; qi < nq; ++qi) {
        std::map<idx_t, float> a, b;
        for (size_t j = rf.lims[qi]; j < rf.lims[qi + 1]; ++j) a[rf.labels[j]] = rf.distances[j];
        for (size_t j = rs.lims[qi]; j < rs.lims[qi + 1]; ++j) b[rs.labels[j]] = rs.distances[j];
        EXPECT_EQ(a, b) << "query " << qi;
        for (const auto& [id, dist] : a) {
          EXPECT_TRUE(metric == faiss::METRIC_L2 ? dist < radius : dist > radius);
          if (sel != nullptr) {
            EXPECT_TRUE(sel->is_member(id));
          }
        }
        found += a.size();
      }
      EXPECT_GT(found, 0u);
    }
  }
}

// The add paths append list by list (IndexCodecIVF::add_core, add_codes): the same lists, codes, ids,
// direct map and search as FAISS's entry-by-entry add_sa_codes followed by sync_packed(), for adds in
// chunks; an append that throws leaves no list with any of the chunk (all or nothing) and the index
// searchable; list numbers out of range are refused before anything is added; FAISS's -1 list (not
// assigned) adds nothing but counts in ntotal, as FAISS's add_core.
TEST(IndexCodecIVF, AddsListByListEqualFaissEntryByEntry) {
  const size_t nb = 1500, nlist = 8, chunk = 400;
  const auto base = testing::random_vectors(nb, kDim, 1.0f, 97);
  const auto queries = testing::random_vectors(10, kDim, 1.0f, 98);
  for_layouts_and_metrics([&](const char* descriptor, faiss::MetricType metric) {
    auto by_add = make_trained(descriptor, metric, nlist, base);
    auto by_codes = empty_copy(*by_add), by_entry = empty_copy(*by_add);
    for (auto* ix : {by_add.get(), by_codes.get(), by_entry.get()}) ix->make_direct_map(true);
    std::vector<uint8_t> codes(nb * by_add->sa_code_size());
    by_add->sa_encode(static_cast<idx_t>(nb), base.data(), codes.data());
    for (size_t first = 0; first < nb; first += chunk) {
      const idx_t m = static_cast<idx_t>(std::min(chunk, nb - first));
      by_add->add(m, base.data() + first * kDim);
      by_codes->add_codes(m, codes.data() + first * by_add->sa_code_size(), nullptr);
      by_entry->faiss::IndexIVF::add_sa_codes(m, codes.data() + first * by_add->sa_code_size(), nullptr);
    }
    by_entry->sync_packed();
    for (auto* ix : {by_codes.get(), by_entry.get()}) {
      ASSERT_EQ(ix->ntotal, by_add->ntotal);
      for (size_t list = 0; list < nlist; ++list) {
        EXPECT_EQ(list_codes(*ix->invlists, list), list_codes(*by_add->invlists, list));
        faiss::InvertedLists::ScopedIds a(ix->invlists, list), b(by_add->invlists, list);
        EXPECT_TRUE(std::equal(a.get(), a.get() + ix->invlists->list_size(list), b.get()));
        size_t na = 0, nb_terms = 0;
        const float* ta = ix->l2_terms(list, &na);
        const float* tb = by_add->l2_terms(list, &nb_terms);
        ASSERT_EQ(na, nb_terms);
        EXPECT_TRUE(std::equal(ta, ta + na, tb));
      }
      EXPECT_EQ(ix->direct_map.array, by_add->direct_map.array);
      expect_same_search(*ix, *by_add, queries, 10, 3);
    }
  });

  // All or nothing: list 5's append throws after the others went in.
  auto index = make_trained("RaBitQ1", faiss::METRIC_L2, nlist, base);
  auto* failing = new FailingLists(nlist, index->codec());
  index->replace_invlists(failing, true);
  index->add(static_cast<idx_t>(chunk), base.data());
  auto reference = empty_copy(*index);
  reference->add(static_cast<idx_t>(chunk), base.data());
  failing->fail_list = 5;
  failing->allowed = 0;
  EXPECT_THROW(index->add(static_cast<idx_t>(chunk), base.data() + chunk * kDim), StateError);
  EXPECT_EQ(index->ntotal, static_cast<idx_t>(chunk));
  for (size_t list = 0; list < nlist; ++list) {
    EXPECT_EQ(list_codes(*index->invlists, list), list_codes(*reference->invlists, list)) << "list " << list;
  }
  expect_same_search(*index, *reference, queries, 10, 3);
  failing->allowed = 1 << 30;
  index->add(static_cast<idx_t>(chunk), base.data() + chunk * kDim);
  reference->add(static_cast<idx_t>(chunk), base.data() + chunk * kDim);
  expect_same_search(*index, *reference, queries, 10, 3);

  // A list number out of range: refused, nothing added.
  std::vector<uint8_t> code(index->sa_code_size());
  index->sa_encode(1, base.data(), code.data());
  std::vector<uint8_t> two(2 * code.size());
  std::copy(code.begin(), code.end(), two.begin());
  std::copy(code.begin(), code.end(), two.begin() + static_cast<long>(code.size()));
  two[code.size()] = static_cast<uint8_t>(nlist);  // the second code's list number (one byte for 8 lists)
  const idx_t before = index->ntotal;
  EXPECT_THROW(index->add_codes(2, two.data(), nullptr), InvalidArgument);
  EXPECT_EQ(index->ntotal, before);

  // FAISS's -1 list: not added, counted.
  std::vector<idx_t> lists = {-1, 2};
  index->add_core(2, base.data(), nullptr, lists.data());
  EXPECT_EQ(index->ntotal, before + 2);
  EXPECT_EQ(index->invlists->compute_ntotal(), static_cast<size_t>(before + 1));
}

}  // namespace
}  // namespace ipaq
