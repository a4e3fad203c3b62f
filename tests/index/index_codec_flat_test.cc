#include "index/index_codec_flat.h"

#include <faiss/impl/IDSelector.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "index/code_scorer.h"
#include "index/index_io.h"
#include "lib/codecs/bit_packing.h"
#include "lib/core/error.h"
#include "lib/core/simd_level.h"
#include "lib/scan/fastscan_layout.h"
#include "lib/scan/lut_quantizer.h"
#include "tests/index/index_test_util.h"
#include "tests/index/test_codecs.h"

namespace ipaq {
namespace {

using testing::ExactFloatCodec;
using testing::Uniform4bitCodec;
using idx_t = faiss::Index::idx_t;

struct Case {
  faiss::MetricType metric;
  bool center;
};

class FlatExactTest : public ::testing::TestWithParam<Case> {};

// With a lossless codec the index must reproduce the brute-force top-k: every returned distance equals
// the exact distance of its label (up to float rounding of a d=24 sum of O(1) terms: 1e-4 absolute),
// and the k-th distance equals the exact k-th distance.
TEST_P(FlatExactTest, MatchesBruteForce) {
  const size_t d = 24, nb = 700, nq = 9, k = 7;
  const auto base = testing::random_vectors(nb, d, 1.0f, 1);
  const auto queries = testing::random_vectors(nq, d, 1.0f, 2);
  IndexCodecFlat index(std::make_unique<ExactFloatCodec>(d), GetParam().metric, GetParam().center);
  EXPECT_EQ(index.is_trained, !GetParam().center);
  index.train(nb, base.data());
  index.add(nb, base.data());
  ASSERT_EQ(index.ntotal, idx_t(nb));
  std::vector<float> D(nq * k);
  std::vector<idx_t> I(nq * k);
  index.search(nq, queries.data(), k, D.data(), I.data());
  const auto truth = testing::brute_force_topk(base, queries, d, k, GetParam().metric);
  for (size_t qi = 0; qi < nq; ++qi) {
    for (size_t r = 0; r < k; ++r) {
      ASSERT_GE(I[qi * k + r], 0);
      const double exact = testing::exact_distance(&queries[qi * d], &base[I[qi * k + r] * d], d, GetParam().metric);
      EXPECT_NEAR(D[qi * k + r], exact, 1e-4);
    }
    const double kth = testing::exact_distance(&queries[qi * d], &base[truth[qi * k + k - 1] * d], d, GetParam().metric);
    EXPECT_NEAR(D[qi * k + k - 1], kth, 1e-4);
  }
}

INSTANTIATE_TEST_SUITE_P(Metrics, FlatExactTest,
                         ::testing::Values(Case{faiss::METRIC_L2, false}, Case{faiss::METRIC_L2, true},
                                           Case{faiss::METRIC_INNER_PRODUCT, false},
                                           Case{faiss::METRIC_INNER_PRODUCT, true}));

// Fewer vectors than k: the tail is padded with label -1.
TEST(IndexCodecFlat, PadsMissingResults) {
  const size_t d = 8;
  const auto base = testing::random_vectors(3, d, 1.0f, 3);
  IndexCodecFlat index(std::make_unique<ExactFloatCodec>(d), faiss::METRIC_L2, false);
  index.add(3, base.data());
  std::vector<float> D(5);
  std::vector<idx_t> I(5);
  index.search(1, base.data(), 5, D.data(), I.data());
  EXPECT_EQ(I[0], 0);
  EXPECT_NEAR(D[0], 0.0f, 1e-6);
  EXPECT_EQ(I[3], -1);
  EXPECT_EQ(I[4], -1);
}

// The fast-scan search (4-bit LUT kernels) vs the scalar estimate_ip search, at every SIMD level:
//  - every level returns bit-identical results (the kernels sum integers exactly);
//  - each returned fast-scan distance differs from the reference estimate of the same label by at most
//    the LUT quantization bound sum_g error_bound(g) (times 2 for L2, where dist = ... - 2 ip), plus
//    float slack 1e-4.
TEST(IndexCodecFlat, FastScanAgreesWithReferenceAtEverySimdLevel) {
  const size_t d = 20, nb = 1000, nq = 6, k = 10;
  const auto base = testing::random_vectors(nb, d, 1.0f, 4);
  const auto queries = testing::random_vectors(nq, d, 1.0f, 5);
  for (faiss::MetricType metric : {faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT}) {
    IndexCodecFlat fast(std::make_unique<Uniform4bitCodec>(d, 1.0f), metric, true, true);
    IndexCodecFlat ref(std::make_unique<Uniform4bitCodec>(d, 1.0f), metric, true, false);
    ASSERT_TRUE(fast.uses_fastscan());
    ASSERT_FALSE(ref.uses_fastscan());
    for (auto* ix : {&fast, &ref}) {
      ix->train(nb, base.data());
      ix->add(nb, base.data());
    }
    std::vector<float> D0;
    std::vector<idx_t> I0;
    for (int lv = 0; lv <= static_cast<int>(cpu_simd_level()); ++lv) {
      set_simd_level_for_testing(static_cast<SimdLevel>(lv));
      std::vector<float> D(nq * k);
      std::vector<idx_t> I(nq * k);
      fast.search(nq, queries.data(), k, D.data(), I.data());
      if (lv == 0) {
        D0 = D;
        I0 = I;
      } else {
        EXPECT_EQ(D, D0) << "level " << lv;
        EXPECT_EQ(I, I0) << "level " << lv;
      }
    }
    set_simd_level_for_testing(cpu_simd_level());
    Uniform4bitCodec codec(d, 1.0f);
    for (size_t qi = 0; qi < nq; ++qi) {
      // Reference distance of each fast-scan label, computed through the reference index's scorer path:
      // search the reference index for a large k and look the label up.
      std::vector<float> RD(nb);
      std::vector<idx_t> RI(nb);
      ref.search(1, &queries[qi * d], nb, RD.data(), RI.data());
      std::vector<float> ref_of(nb);
      for (size_t r = 0; r < nb; ++r) ref_of[RI[r]] = RD[r];
      // The query the codec sees: q (IP) or q - center (L2).
      std::vector<float> qc(queries.begin() + qi * d, queries.begin() + (qi + 1) * d);
      if (metric == faiss::METRIC_L2)
        for (size_t j = 0; j < d; ++j) qc[j] -= fast.center()[j];
      auto state = codec.prepare_query(qc.data());
      const auto quant = quantize_lut(state->lut.data(), d, 4, {0, d});
      const float bound = quant.error_bound(0) * (metric == faiss::METRIC_L2 ? 2.0f : 1.0f) + 1e-4f;
      for (size_t r = 0; r < k; ++r) {
        const idx_t id = I0[qi * k + r];
        ASSERT_GE(id, 0);
        EXPECT_NEAR(D0[qi * k + r], ref_of[id], bound);
      }
      // The fast-scan k-th result cannot be worse than the reference k-th by more than two bounds.
      const float kth_fast = ref_of[I0[qi * k + k - 1]], kth_ref = RD[k - 1];
      if (metric == faiss::METRIC_L2) EXPECT_LE(kth_fast, kth_ref + 2 * bound);
      else EXPECT_GE(kth_fast, kth_ref - 2 * bound);
    }
  }
}

// Reference sub-codes of a 4-bit LUT rotation codec, from its documented code layout alone
// (lib/codecs/rotated_codec.h): group g's sub-codes are the 4-bit fields of segment g, LSB-first, and each
// segment is padded to whole bytes, so group g starts ceil(size_h / 2) bytes after group h = g - 1.
std::vector<uint8_t> reference_nibble_sub_codes(const Codec& codec, size_t n, const uint8_t* codes) {
  const std::vector<size_t> begin = codec.lut_group_begin();
  const size_t nsub = codec.lut_nsub();
  std::vector<uint8_t> sub(n * nsub);
  for (size_t i = 0; i < n; ++i) {
    size_t byte_offset = 0;
    for (size_t g = 0; g + 1 < begin.size(); ++g) {
      const size_t size = begin[g + 1] - begin[g];
      for (size_t j = 0; j < size; ++j) {
        sub[i * nsub + begin[g] + j] =
            static_cast<uint8_t>(read_bit_field(codes + i * codec.code_size() + byte_offset, 4 * j, 4));
      }
      byte_offset += (size + 1) / 2;
    }
  }
  return sub;
}

// The block-by-block packing of add_codes (appends of every alignment: partial first blocks, whole
// blocks, partial last blocks) and of remove_ids' repack equals the generic per-vector packing
// (pack_4bit_codes) of sub-codes from the codec's reference extraction; for the rotation codecs that
// reference is the documented nibble layout read with read_bit_field, so this also checks
// RotatedCodec::extract_sub_codes' 4-bit fast path. Odd nsub (Uniform4bitCodec, d = 21) included.
TEST(IndexCodecFlat, BlockPackingEqualsGenericPacking) {
  struct Made {
    std::string name;
    std::unique_ptr<Codec> codec;
  };
  std::vector<Made> codecs;
  for (const char* descriptor : {"TQ4", "TQ2", "RaBitQ1", "TQP2", "TQP3", "EDEN4", "BSQ1x4"}) {
    for (size_t d : {64, 100}) {
      if (!is_codec_descriptor(descriptor)) continue;
      codecs.push_back({std::string(descriptor) + "/d" + std::to_string(d), make_codec(descriptor, d)});
    }
  }
  codecs.push_back({"TestU4/d21", std::make_unique<Uniform4bitCodec>(21, 1.0f)});
  size_t checked_rotation_codecs = 0;
  for (Made& made : codecs) {
    SCOPED_TRACE(made.name);
    if (made.codec->lut_bits() != 4) continue;
    const size_t d = made.codec->dim(), n = 300;
    const bool rotation = made.name.rfind("TestU4", 0) != 0;
    const auto base = testing::random_vectors(n, d, 1.0f, 11);
    IndexCodecFlat index(std::move(made.codec), faiss::METRIC_L2, false);
    if (!index.is_trained) index.train(n, base.data());
    ASSERT_TRUE(index.uses_fastscan());
    const Codec& codec = index.codec();
    std::vector<uint8_t> codes(n * codec.code_size());
    index.sa_encode(n, base.data(), codes.data());
    // Chunks chosen to start and end at every kind of block offset.
    size_t added = 0;
    for (size_t chunk : {5, 27, 1, 64, 37, 100, 66}) {
      index.add_codes(static_cast<idx_t>(chunk), codes.data() + added * codec.code_size());
      added += chunk;
    }
    ASSERT_EQ(added, n);
    std::vector<uint8_t> sub(n * codec.lut_nsub());
    codec.extract_sub_codes(n, codes.data(), sub.data());
    if (rotation) {
      EXPECT_EQ(sub, reference_nibble_sub_codes(codec, n, codes.data()));
      ++checked_rotation_codecs;
    }
    const FastScanLayout& layout = *index.layout();
    AlignedBytes expected(layout.packed_bytes(n));
    pack_4bit_codes(layout, n, sub.data(), expected.data());
    EXPECT_EQ(index.packed_codes(), expected);
    // Remove every third vector: repack of the survivors.
    std::vector<idx_t> gone;
    for (size_t i = 0; i < n; i += 3) gone.push_back(static_cast<idx_t>(i));
    faiss::IDSelectorBatch selector(gone.size(), gone.data());
    ASSERT_EQ(index.remove_ids(selector), gone.size());
    std::vector<uint8_t> kept_sub;
    for (size_t i = 0; i < n; ++i) {
      if (i % 3 == 0) continue;
      kept_sub.insert(kept_sub.end(), sub.begin() + i * codec.lut_nsub(), sub.begin() + (i + 1) * codec.lut_nsub());
    }
    const size_t kept = n - gone.size();
    AlignedBytes expected_kept(layout.packed_bytes(kept));
    pack_4bit_codes(layout, kept, kept_sub.data(), expected_kept.data());
    EXPECT_EQ(index.packed_codes(), expected_kept);
  }
  EXPECT_GE(checked_rotation_codecs, 8u);  // the 4-bit rotation codecs really were exercised
}

// One query over a database big enough to be split across threads gives the same result as the
// per-query path (a batch of as many queries as threads).
TEST(IndexCodecFlat, SingleQueryDatabaseParallelMatchesBatchPath) {
  const size_t d = 8, nb = 40000, k = 5;
  const auto base = testing::random_vectors(nb, d, 1.0f, 6);
  const auto queries = testing::random_vectors(64, d, 1.0f, 7);
  IndexCodecFlat index(std::make_unique<Uniform4bitCodec>(d, 1.0f), faiss::METRIC_L2, false);
  index.add(nb, base.data());
  std::vector<float> Db(64 * k), D1(k);
  std::vector<idx_t> Ib(64 * k), I1(k);
  index.search(64, queries.data(), k, Db.data(), Ib.data());
  for (size_t qi = 0; qi < 64; qi += 21) {
    index.search(1, &queries[qi * d], k, D1.data(), I1.data());
    for (size_t r = 0; r < k; ++r) {
      EXPECT_EQ(D1[r], Db[qi * k + r]);
      EXPECT_EQ(I1[r], Ib[qi * k + r]);
    }
  }
}

TEST(IndexCodecFlat, SelectorRemoveReconstructAndStandaloneCodes) {
  const size_t d = 12, nb = 50;
  const auto base = testing::random_vectors(nb, d, 1.0f, 8);
  IndexCodecFlat index(std::make_unique<Uniform4bitCodec>(d, 1.0f), faiss::METRIC_INNER_PRODUCT, true);
  index.train(nb, base.data());
  index.add(nb, base.data());
  // Selector: only even ids may be returned.
  std::vector<idx_t> even;
  for (idx_t i = 0; i < idx_t(nb); i += 2) even.push_back(i);
  faiss::IDSelectorBatch sel(even.size(), even.data());
  faiss::SearchParameters params;
  params.sel = &sel;
  std::vector<float> D(10);
  std::vector<idx_t> I(10);
  index.search(1, base.data() + d, 10, D.data(), I.data(), &params);
  for (idx_t id : I) EXPECT_EQ(id % 2, 0);
  // sa_encode/sa_decode round trip equals reconstruct.
  std::vector<uint8_t> code(index.sa_code_size());
  index.sa_encode(1, base.data() + 5 * d, code.data());
  std::vector<float> a(d), b(d);
  index.sa_decode(1, code.data(), a.data());
  index.reconstruct(5, b.data());
  EXPECT_EQ(a, b);
  for (size_t j = 0; j < d; ++j) EXPECT_NEAR(a[j], base[5 * d + j], 2.0f / 15 / 2 + 1e-5);  // half a step
  // remove_ids shifts ids down and keeps the fast-scan layout consistent with the codes.
  faiss::IDSelectorRange first_ten(0, 10);
  EXPECT_EQ(index.remove_ids(first_ten), 10u);
  EXPECT_EQ(index.ntotal, idx_t(nb - 10));
  std::vector<float> r(d);
  index.reconstruct(0, r.data());
  std::vector<float> r_expected(d);
  index.sa_encode(1, base.data() + 10 * d, code.data());
  index.sa_decode(1, code.data(), r_expected.data());
  EXPECT_EQ(r, r_expected);
  index.search(1, base.data() + 12 * d, 1, D.data(), I.data());
  EXPECT_EQ(I[0], 2);  // old id 12
}

TEST(IndexCodecFlat, RejectsBadArguments) {
  const size_t d = 6;
  auto base = testing::random_vectors(20, d, 1.0f, 9);
  IndexCodecFlat index(std::make_unique<ExactFloatCodec>(d), faiss::METRIC_L2, true);
  std::vector<float> D(4);
  std::vector<idx_t> I(4);
  EXPECT_THROW(index.add(20, base.data()), StateError);  // not trained
  index.train(20, base.data());
  index.add(20, base.data());
  EXPECT_THROW(index.search(1, base.data(), 0, D.data(), I.data()), InvalidArgument);
  EXPECT_THROW(index.search(1, base.data(), -3, D.data(), I.data()), InvalidArgument);
  EXPECT_THROW(index.search(-1, base.data(), 1, D.data(), I.data()), InvalidArgument);
  base[2] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(index.search(1, base.data(), 1, D.data(), I.data()), InvalidArgument);
  EXPECT_THROW(index.add(1, base.data()), InvalidArgument);
  EXPECT_THROW(index.reconstruct(20, D.data()), InvalidArgument);
  EXPECT_THROW(IndexCodecFlat(std::make_unique<ExactFloatCodec>(d), faiss::METRIC_L1), InvalidArgument);
}

// The workload reaches the codec as the vectors it scores: q - center under L2 (given at train time, once
// the center is known), q itself under the inner product. Checked by encoding with a standalone codec
// given that workload: the codes must be equal byte for byte (ASQ's levels depend on the weights).
TEST(IndexCodecFlat, QueryWorkloadReachesTheCodecAsScored) {
  const size_t d = 64, n = 300, nq = 40;
  auto base = testing::random_vectors(n, d, 1.0f, 21);
  for (size_t i = 0; i < base.size(); ++i) base[i] += 0.5f + 0.01f * static_cast<float>(i % d);  // off-center
  auto queries = testing::random_vectors(nq, d, 1.0f, 22);
  for (size_t i = 0; i < queries.size(); ++i) queries[i] *= 1.0f + 3.0f * static_cast<float>((i % d) < 8);  // skewed
  for (faiss::MetricType metric : {faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT}) {
    SCOPED_TRACE(metric == faiss::METRIC_L2 ? "L2" : "IP");
    IndexCodecFlat index(make_codec("ASQ4w", d), metric, true);
    index.set_query_workload(static_cast<idx_t>(nq), queries.data());
    index.train(static_cast<idx_t>(n), base.data());
    ASSERT_TRUE(index.is_trained);
    std::vector<float> centered(base.size()), scored(queries);
    for (size_t i = 0; i < base.size(); ++i) centered[i] = base[i] - index.center()[i % d];
    if (metric == faiss::METRIC_L2) {
      for (size_t i = 0; i < scored.size(); ++i) scored[i] -= index.center()[i % d];
    }
    auto codec = make_codec("ASQ4w", d);
    codec->set_query_workload(nq, d, scored.data());
    codec->train(n, centered.data());
    std::vector<uint8_t> expected(n * codec->code_size()), got(n * index.sa_code_size());
    codec->encode(n, centered.data(), expected.data());
    index.sa_encode(static_cast<idx_t>(n), base.data(), got.data());
    EXPECT_EQ(got, expected);
  }
  IndexCodecFlat no_workload(make_codec("ASQ4w", d), faiss::METRIC_L2, true);
  EXPECT_THROW(no_workload.train(static_cast<idx_t>(n), base.data()), StateError);
  IndexCodecFlat unweighted(make_codec("TQ4", d), faiss::METRIC_L2, true);
  EXPECT_THROW(unweighted.set_query_workload(static_cast<idx_t>(nq), queries.data()), InvalidArgument);
  EXPECT_THROW(no_workload.set_query_workload(0, queries.data()), InvalidArgument);
  EXPECT_THROW(no_workload.set_query_workload(1, nullptr), InvalidArgument);
}

// Distances of every stored vector for query q as the dual-storage index computed them (session 2): the
// fast-scan kernels over the packed sub-codes, finished with the factors read from the ROW-MAJOR codes
// (side = codes + lut_side_offset(), stride = code_size), with the index's per-query offset.
std::vector<float> dual_storage_distances(const IndexCodecFlat& index, const std::vector<uint8_t>& codes,
                                          const float* q) {
  const size_t d = static_cast<size_t>(index.d), n = static_cast<size_t>(index.ntotal);
  const Codec& codec = index.codec();
  std::vector<float> qc(q, q + d);
  double offset = 0;
  for (size_t j = 0; j < d; ++j) {
    if (index.metric_type == faiss::METRIC_INNER_PRODUCT) {
      offset += static_cast<double>(q[j]) * index.center()[j];
    } else {
      qc[j] = q[j] - index.center()[j];
      offset += static_cast<double>(qc[j]) * qc[j];
    }
  }
  CodeScorer scorer(codec, index.metric_type, index.layout());
  scorer.set_query(qc.data(), static_cast<float>(offset));
  std::vector<float> dist(n);
  constexpr size_t kRun = 1024;  // the index's run length (a multiple of the 32-vector block)
  for (size_t b = 0; b < n; b += kRun) {
    const size_t m = std::min(kRun, n - b);
    scorer.distances_fastscan(m, index.packed_codes().data() + (b / 32) * index.layout()->block_bytes(),
                              codes.data() + b * codec.code_size() + codec.lut_side_offset(), codec.code_size(),
                              dist.data() + b);
  }
  return dist;
}

// The single-storage layout (packed sub-codes + compact side bytes, `codes` empty) against an index of the
// same codec with fast scan off (row-major codes): identical stored codes (read_codes), reconstructions,
// remove_ids, merge_from and index files, and search distances identical to the dual-storage scan
// (dual_storage_distances). Odd sub-code counts (TQ4_haar / TestU4 at d = 21), TurboQuant_prod's two
// groups, centering and both metrics.
TEST(IndexCodecFlat, PackedStorageEqualsRowMajorStorage) {
  struct Made {
    std::string name;
    std::function<std::unique_ptr<Codec>()> make;
  };
  const std::vector<Made> codecs = {
      {"RaBitQ1/d100", [] { return make_codec("RaBitQ1", 100); }},
      {"TQP3/d64", [] { return make_codec("TQP3", 64); }},
      {"TQ4_haar/d21", [] { return make_codec("TQ4_haar", 21); }},
      {"TestU4/d21", [] { return std::make_unique<Uniform4bitCodec>(21, 1.0f); }}};
  const size_t n = 1100, n_other = 45, nq = 3;
  for (const Made& made : codecs) {
    for (faiss::MetricType metric : {faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT}) {
      SCOPED_TRACE(made.name + (metric == faiss::METRIC_L2 ? " L2" : " IP"));
      IndexCodecFlat fast(made.make(), metric, true, true), rows(made.make(), metric, true, false);
      ASSERT_TRUE(fast.uses_fastscan());
      ASSERT_FALSE(rows.uses_fastscan());
      const size_t d = static_cast<size_t>(fast.d), cs = fast.code_size;
      const auto base = testing::random_vectors(n + n_other, d, 1.0f, 41);
      const auto queries = testing::random_vectors(nq, d, 1.0f, 42);
      fast.train(static_cast<idx_t>(n), base.data());
      rows.train(static_cast<idx_t>(n), base.data());
      std::vector<uint8_t> codes((n + n_other) * cs);
      rows.sa_encode(static_cast<idx_t>(n + n_other), base.data(), codes.data());
      // Appends of every block alignment (fast) vs one add (rows).
      size_t added = 0;
      for (size_t chunk : {7, 25, 64, 300, 704}) {
        fast.add_codes(static_cast<idx_t>(chunk), codes.data() + added * cs);
        added += chunk;
      }
      ASSERT_EQ(added, n);
      rows.add_codes(static_cast<idx_t>(n), codes.data());
      EXPECT_TRUE(fast.codes.empty());
      EXPECT_EQ(fast.side_bytes().size(), n * fast.codec().lut_side_size());
      EXPECT_EQ(fast.storage_bytes_per_vector(),
                static_cast<double>(fast.layout()->packed_bytes(n) + fast.side_bytes().size()) / n);
      EXPECT_EQ(rows.storage_bytes_per_vector(), static_cast<double>(cs));

      // Stored codes byte for byte, whole and from an unaligned offset.
      std::vector<uint8_t> got(n * cs);
      fast.read_codes(0, static_cast<idx_t>(n), got.data());
      EXPECT_EQ(got, rows.codes);
      std::vector<uint8_t> part(50 * cs);
      fast.read_codes(37, 50, part.data());
      EXPECT_TRUE(std::equal(part.begin(), part.end(), rows.codes.begin() + 37 * cs));
      EXPECT_THROW(fast.read_codes(static_cast<idx_t>(n) - 1, 2, part.data()), InvalidArgument);
      // Reconstructions.
      std::vector<float> ra(5 * d), rb(5 * d);
      fast.reconstruct_n(1000, 5, ra.data());
      rows.reconstruct_n(1000, 5, rb.data());
      EXPECT_EQ(ra, rb);
      fast.reconstruct(3, ra.data());
      rows.reconstruct(3, rb.data());
      EXPECT_TRUE(std::equal(ra.begin(), ra.begin() + d, rb.begin()));
      EXPECT_THROW(fast.get_distance_computer(), StateError);

      // Search = the dual-storage scan, exactly (all n results, so ties cannot reorder the comparison).
      auto check_search = [&](const IndexCodecFlat& index, const std::vector<uint8_t>& row_codes) {
        const size_t nb = static_cast<size_t>(index.ntotal);
        std::vector<float> D(nb);
        std::vector<idx_t> I(nb);
        for (size_t qi = 0; qi < nq; ++qi) {
          index.search(1, &queries[qi * d], static_cast<idx_t>(nb), D.data(), I.data());
          const auto expected = dual_storage_distances(index, row_codes, &queries[qi * d]);
          for (size_t r = 0; r < nb; ++r) {
            ASSERT_GE(I[r], 0);
            ASSERT_EQ(D[r], expected[static_cast<size_t>(I[r])]) << "rank " << r;
          }
        }
      };
      check_search(fast, rows.codes);

      // remove_ids: both compact the same way.
      std::vector<idx_t> gone;
      for (idx_t i = 0; i < static_cast<idx_t>(n); i += 5) gone.push_back(i);
      for (idx_t i = 64; i < 160; ++i)
        if (i % 5 != 0) gone.push_back(i);  // a whole 32-vector block and more
      faiss::IDSelectorBatch selector(gone.size(), gone.data());
      EXPECT_EQ(fast.remove_ids(selector), gone.size());
      EXPECT_EQ(rows.remove_ids(selector), gone.size());
      ASSERT_EQ(fast.ntotal, rows.ntotal);
      const size_t kept = static_cast<size_t>(fast.ntotal);
      got.resize(kept * cs);
      fast.read_codes(0, static_cast<idx_t>(kept), got.data());
      EXPECT_EQ(got, rows.codes);
      EXPECT_EQ(fast.side_bytes().size(), kept * fast.codec().lut_side_size());
      check_search(fast, rows.codes);

      // merge_from: a fast-scan and a row-major source append the same codes.
      IndexCodecFlat other_fast(made.make(), metric, true, true), other_rows(made.make(), metric, true, false);
      for (IndexCodecFlat* o : {&other_fast, &other_rows}) {
        o->train(static_cast<idx_t>(n), base.data());
        o->add_codes(static_cast<idx_t>(n_other), codes.data() + n * cs);
      }
      IndexCodecFlat copy(made.make(), metric, true, true);
      copy.train(static_cast<idx_t>(n), base.data());
      copy.add_codes(static_cast<idx_t>(kept), got.data());
      fast.merge_from(other_fast);
      copy.merge_from(other_rows);
      EXPECT_EQ(other_fast.ntotal, 0);
      EXPECT_EQ(other_rows.ntotal, 0);
      ASSERT_EQ(fast.ntotal, static_cast<idx_t>(kept + n_other));
      std::vector<uint8_t> merged(static_cast<size_t>(fast.ntotal) * cs), merged_copy(merged.size());
      fast.read_codes(0, fast.ntotal, merged.data());
      copy.read_codes(0, copy.ntotal, merged_copy.data());
      EXPECT_EQ(merged, merged_copy);
      EXPECT_TRUE(std::equal(merged.end() - n_other * cs, merged.end(), codes.begin() + n * cs));
      EXPECT_TRUE(std::equal(merged.begin(), merged.begin() + kept * cs, rows.codes.begin()));

      // Index files (registered codecs only): the same codes as a row-major index (only the fast-scan
      // flag byte and the checksum differ), and a file read back holds the same codes and searches alike.
      if (!is_codec_descriptor(fast.codec().descriptor())) continue;
      IndexCodecFlat rows_merged(made.make(), metric, true, false);
      rows_merged.train(static_cast<idx_t>(n), base.data());
      rows_merged.add_codes(fast.ntotal, merged.data());
      std::string fast_bytes, rows_bytes;
      write_index(&fast, &fast_bytes);
      write_index(&rows_merged, &rows_bytes);
      ASSERT_EQ(fast_bytes.size(), rows_bytes.size());
      size_t differing = 0;
      for (size_t i = 0; i < fast_bytes.size(); ++i) differing += fast_bytes[i] != rows_bytes[i];
      EXPECT_LE(differing, 1u + sizeof(uint32_t));
      auto back = read_index_bytes(fast_bytes);
      auto* back_flat = dynamic_cast<IndexCodecFlat*>(back.get());
      ASSERT_NE(back_flat, nullptr);
      ASSERT_TRUE(back_flat->uses_fastscan());
      EXPECT_TRUE(back_flat->codes.empty());
      EXPECT_EQ(back_flat->packed_codes(), fast.packed_codes());
      EXPECT_EQ(back_flat->side_bytes(), fast.side_bytes());
      auto rows_back = read_index_bytes(rows_bytes);  // a row-major file (as session-2 indexes wrote)
      EXPECT_EQ(dynamic_cast<IndexCodecFlat&>(*rows_back).codes, merged);
      check_search(*back_flat, merged);
    }
  }
}

// Uniform4bitCodec whose extract_sub_codes throws once `extracts_left` more calls have succeeded (a
// code the codec rejects, or an allocation failing, in the middle of an append); -1: never.
class FailingExtractCodec : public Uniform4bitCodec {
 public:
  using Uniform4bitCodec::Uniform4bitCodec;
  void extract_sub_codes(size_t n, const uint8_t* codes, uint8_t* out) const override {
    if (extracts_left == 0) throw InvalidArgument("injected extract failure");
    if (extracts_left > 0) --extracts_left;
    Uniform4bitCodec::extract_sub_codes(n, codes, out);
  }
  mutable int extracts_left = -1;
};

struct FailingIndex {
  FailingExtractCodec* codec;
  std::unique_ptr<IndexCodecFlat> index;
};

FailingIndex make_failing_index(size_t d, const std::vector<float>& train) {
  auto codec = std::make_unique<FailingExtractCodec>(d, 1.0f);
  FailingExtractCodec* raw = codec.get();
  auto index = std::make_unique<IndexCodecFlat>(std::move(codec), faiss::METRIC_INNER_PRODUCT, true, true);
  index->train(static_cast<idx_t>(train.size() / d), train.data());
  return {raw, std::move(index)};
}

// The whole state a failed append or merge must leave untouched: count, packed blocks (their padding
// lanes included), side bytes, and the codes read back.
struct FlatState {
  idx_t ntotal;
  AlignedBytes packed;
  std::vector<uint8_t> side, codes;
};
FlatState state_of(const IndexCodecFlat& index) {
  FlatState s{index.ntotal, index.packed_codes(), index.side_bytes(), {}};
  s.codes.resize(static_cast<size_t>(index.ntotal) * index.code_size);
  index.read_codes(0, index.ntotal, s.codes.data());
  return s;
}
void expect_state(const IndexCodecFlat& index, const FlatState& s) {
  ASSERT_EQ(index.ntotal, s.ntotal);
  EXPECT_EQ(index.packed_codes(), s.packed);
  EXPECT_EQ(index.side_bytes(), s.side);
  EXPECT_EQ(state_of(index).codes, s.codes);
}

// add_codes that throws half way (after writing into the padding lanes of the partly filled last
// block) leaves packed, side bytes and ntotal as before; the same append then succeeds.
TEST(IndexCodecFlat, FailedAppendLeavesTheIndexUnchanged) {
  const size_t d = 21, n = 45, more = 100;
  const auto base = testing::random_vectors(n + more, d, 1.0f, 61);
  auto [codec, index] = make_failing_index(d, base);
  std::vector<uint8_t> codes((n + more) * index->code_size);
  index->sa_encode(static_cast<idx_t>(n + more), base.data(), codes.data());
  index->add_codes(static_cast<idx_t>(n), codes.data());
  const FlatState before = state_of(*index);
  for (const int succeed : {0, 1, 2}) {  // fails before any write, after the partial block, after a whole one
    codec->extracts_left = succeed;
    EXPECT_THROW(index->add_codes(static_cast<idx_t>(more), codes.data() + n * index->code_size), InvalidArgument);
    expect_state(*index, before);
  }
  codec->extracts_left = -1;
  index->add_codes(static_cast<idx_t>(more), codes.data() + n * index->code_size);
  EXPECT_EQ(state_of(*index).codes, codes);
}

// merge_from is all or nothing: a failure in the second run of codes (kCodeRun) leaves both indexes
// as they were; without the failure the same merge appends every code.
TEST(IndexCodecFlat, FailedMergeLeavesBothIndexesUnchanged) {
  const size_t d = 21, n = 45, n_other = kCodeRun + 300;
  const auto base = testing::random_vectors(n + n_other, d, 1.0f, 62);
  auto [codec, index] = make_failing_index(d, base);
  auto [other_codec, other] = make_failing_index(d, base);
  std::vector<uint8_t> codes((n + n_other) * index->code_size);
  index->sa_encode(static_cast<idx_t>(n + n_other), base.data(), codes.data());
  index->add_codes(static_cast<idx_t>(n), codes.data());
  other->add_codes(static_cast<idx_t>(n_other), codes.data() + n * index->code_size);
  const FlatState before = state_of(*index), other_before = state_of(*other);
  // The first run takes 1 + (kCodeRun - 19) / 32 extracts (a partial block, then whole ones).
  const int first_run = 1 + static_cast<int>((kCodeRun - 19 + 31) / 32);
  for (const int succeed : {5, first_run + 2}) {
    codec->extracts_left = succeed;
    EXPECT_THROW(index->merge_from(*other), InvalidArgument);
    expect_state(*index, before);
    expect_state(*other, other_before);
  }
  codec->extracts_left = -1;
  index->merge_from(*other);
  EXPECT_EQ(other->ntotal, 0);
  EXPECT_EQ(state_of(*index).codes, codes);
}

// Codes are only meaningful with the codec state that made them: merge_from refuses an index with the
// same descriptor but a codec of another seed or trained on other data, or another center.
TEST(IndexCodecFlat, MergeRefusesAnotherTrainedCodecOrCenter) {
  const size_t d = 64, n = 300;
  const auto a = testing::random_vectors(n, d, 1.0f, 63), b = testing::random_vectors(n, d, 2.0f, 64);
  const auto make = [&](const std::string& descriptor, uint64_t seed, bool center, const std::vector<float>& x) {
    auto index = std::make_unique<IndexCodecFlat>(make_codec(descriptor, d, CodecOptions{seed}),
                                                  faiss::METRIC_INNER_PRODUCT, center);
    index->train(static_cast<idx_t>(n), x.data());
    index->add(static_cast<idx_t>(n), x.data());
    return index;
  };
  struct Refused {
    std::string what;
    std::unique_ptr<IndexCodecFlat> into, other;
  };
  std::vector<Refused> refused;
  refused.push_back({"seed", make("RaBitQ1", 1, false, a), make("RaBitQ1", 2, false, a)});
  refused.push_back({"trained levels", make("ASQ4", 1, false, a), make("ASQ4", 1, false, b)});
  refused.push_back({"center", make("RaBitQ1", 1, true, a), make("RaBitQ1", 1, true, b)});
  for (Refused& r : refused) {
    SCOPED_TRACE(r.what);
    ASSERT_EQ(r.into->codec().descriptor(), r.other->codec().descriptor());
    if (r.what != "center") {
      EXPECT_FALSE(same_codec_state(r.into->codec(), r.other->codec()));
    }
    EXPECT_THROW(r.into->merge_from(*r.other), InvalidArgument);
    EXPECT_EQ(r.into->ntotal, static_cast<idx_t>(n));
    EXPECT_EQ(r.other->ntotal, static_cast<idx_t>(n));
  }
  // The same codec state and center (trained alike on the same data): merged.
  auto into = make("ASQ4", 1, true, a), other = make("ASQ4", 1, true, a);
  EXPECT_TRUE(same_codec_state(into->codec(), other->codec()));
  into->merge_from(*other);
  EXPECT_EQ(into->ntotal, static_cast<idx_t>(2 * n));
}

// score_bounds gathers candidate codes through one buffer: the codes are read_codes', for labels in any
// order (repeats too), and the estimates are the scalar ones: equal to a row-major search's distances
// and the same under fast scan (where the search itself uses the quantized LUT kernels).
TEST(IndexCodecFlat, ScoreBoundsGathersTheCandidatesCodes) {
  const size_t d = 21, n = 150;
  const auto base = testing::random_vectors(n, d, 1.0f, 65), q = testing::random_vectors(1, d, 1.0f, 66);
  const std::vector<idx_t> labels{149, 0, 77, 31, 32, 77, 5};
  std::vector<float> row_major_estimate;
  for (const bool fastscan : {false, true}) {
    SCOPED_TRACE(fastscan ? "fast scan" : "row-major");
    IndexCodecFlat index(std::make_unique<Uniform4bitCodec>(d, 1.0f, true), faiss::METRIC_INNER_PRODUCT, true,
                         fastscan);
    index.train(static_cast<idx_t>(n), base.data());
    index.add(static_cast<idx_t>(n), base.data());
    std::vector<uint8_t> gathered(labels.size() * index.code_size), one(index.code_size);
    index.gather_codes(labels.size(), labels.data(), gathered.data());
    for (size_t i = 0; i < labels.size(); ++i) {
      index.read_codes(labels[i], 1, one.data());
      EXPECT_TRUE(std::equal(one.begin(), one.end(), gathered.begin() + i * index.code_size)) << i;
    }
    std::vector<float> estimate(labels.size()), bound(labels.size());
    ASSERT_TRUE(index.score_bounds(q.data(), static_cast<idx_t>(labels.size()), labels.data(), estimate.data(),
                                   bound.data()));
    if (!fastscan) {
      std::vector<float> D(n);
      std::vector<idx_t> I(n);
      index.search(1, q.data(), static_cast<idx_t>(n), D.data(), I.data());
      for (size_t i = 0; i < labels.size(); ++i) {
        const size_t rank = static_cast<size_t>(std::find(I.begin(), I.end(), labels[i]) - I.begin());
        ASSERT_LT(rank, n);
        EXPECT_EQ(estimate[i], D[rank]) << labels[i];
      }
      row_major_estimate = estimate;
    } else {
      EXPECT_EQ(estimate, row_major_estimate);
    }
    const idx_t bad[] = {3, static_cast<idx_t>(n)};
    EXPECT_THROW(index.score_bounds(q.data(), 2, bad, estimate.data(), bound.data()), InvalidArgument);
  }
}

}  // namespace
}  // namespace ipaq
