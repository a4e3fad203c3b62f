#include "index/index_codec_ivf.h"

#include <faiss/IndexFlat.h>
#include <faiss/impl/IDSelector.h>
#include <gtest/gtest.h>

#include <faiss/utils/Heap.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "index/rerank.h"
#include "index/search_params.h"
#include "lib/codecs/codec.h"
#include "lib/core/error.h"
#include "lib/core/simd_level.h"
#include "tests/index/index_test_util.h"
#include "tests/index/test_codecs.h"

namespace ipaq {
namespace {

using testing::ExactFloatCodec;
using testing::Uniform4bitCodec;
using idx_t = faiss::Index::idx_t;

std::unique_ptr<IndexCodecIVF> make_ivf(std::unique_ptr<Codec> codec, size_t nlist, faiss::MetricType metric,
                                        bool fastscan = true) {
  const int d = static_cast<int>(codec->dim());
  std::unique_ptr<faiss::Index> q;
  if (metric == faiss::METRIC_L2) q = std::make_unique<faiss::IndexFlatL2>(d);
  else q = std::make_unique<faiss::IndexFlatIP>(d);
  return std::make_unique<IndexCodecIVF>(std::move(q), nlist, std::move(codec), metric, fastscan);
}

class IvfExactTest : public ::testing::TestWithParam<faiss::MetricType> {};

// Lossless codec + nprobe = nlist (per call) visits every vector: the result must be the exact top-k
// (distances equal the exact ones within float rounding, 1e-4). With nprobe = 1 fewer lists are visited,
// so recall can only drop, and the ids returned must still carry their exact distances.
TEST_P(IvfExactTest, AllListsMatchBruteForce) {
  const faiss::MetricType metric = GetParam();
  const size_t d = 16, nb = 2000, nq = 10, k = 5, nlist = 16;
  const auto base = testing::random_vectors(nb, d, 1.0f, 11);
  const auto queries = testing::random_vectors(nq, d, 1.0f, 12);
  auto index = make_ivf(std::make_unique<ExactFloatCodec>(d), nlist, metric);
  EXPECT_FALSE(index->is_trained);
  index->train(nb, base.data());
  ASSERT_TRUE(index->is_trained);
  index->add(nb, base.data());
  std::vector<float> D(nq * k);
  std::vector<idx_t> I(nq * k);
  faiss::SearchParametersIVF all;
  all.nprobe = nlist;
  index->search(nq, queries.data(), k, D.data(), I.data(), &all);
  const auto truth = testing::brute_force_topk(base, queries, d, k, metric);
  for (size_t qi = 0; qi < nq; ++qi) {
    for (size_t r = 0; r < k; ++r) {
      const double exact = testing::exact_distance(&queries[qi * d], &base[I[qi * k + r] * d], d, metric);
      EXPECT_NEAR(D[qi * k + r], exact, 1e-4);
    }
    const double kth = testing::exact_distance(&queries[qi * d], &base[truth[qi * k + k - 1] * d], d, metric);
    EXPECT_NEAR(D[qi * k + k - 1], kth, 1e-4);
  }
  EXPECT_DOUBLE_EQ(testing::recall_at_k(truth, I, nq, k, k, k), 1.0);
  faiss::SearchParametersIVF one;
  one.nprobe = 1;
  index->search(nq, queries.data(), k, D.data(), I.data(), &one);
  EXPECT_LT(testing::recall_at_k(truth, I, nq, k, k, k), 1.0);  // 1/16 of the lists: some neighbours missed
}

INSTANTIATE_TEST_SUITE_P(Metrics, IvfExactTest, ::testing::Values(faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT));

class IvfScoreBoundsTest : public ::testing::TestWithParam<faiss::MetricType> {};

// score_bounds (IndexRerank's pruning): none without the direct map; with it, the reference estimate of a
// label equals the distance the scalar (fast scan off) search gives it, and the deterministic bound of
// Uniform4bitCodec (|est - exact| <= sum|q_j| step/2 per inner product; values within its range: base in
// [-0.5, 0.5], so residuals and centroids stay in [-1, 1]) holds for every label. Rerank pruned by the
// bound returns exactly what full rerank returns, fetching fewer vectors.
TEST_P(IvfScoreBoundsTest, BoundsHoldAndPruningKeepsTheResult) {
  const faiss::MetricType metric = GetParam();
  const size_t d = 16, nb = 2000, nq = 10, k = 5, nlist = 8;
  const auto base = testing::random_vectors(nb, d, 0.5f, 31);
  const auto queries = testing::random_vectors(nq, d, 0.5f, 32);
  auto make = [&](bool fastscan) {
    auto ivf = make_ivf(std::make_unique<Uniform4bitCodec>(d, 1.0f, true), nlist, metric, fastscan);
    ivf->train(nb, base.data());
    ivf->add(nb, base.data());
    return ivf;
  };
  auto ivf = make(true);
  std::vector<idx_t> labels(nb);
  for (size_t i = 0; i < nb; ++i) labels[i] = idx_t(i);
  std::vector<float> est(nb), bound(nb);
  EXPECT_FALSE(ivf->score_bounds(queries.data(), idx_t(nb), labels.data(), est.data(), bound.data()));
  ivf->make_direct_map();
  auto scalar = make(false);
  std::vector<float> D(nb);
  std::vector<idx_t> I(nb);
  faiss::SearchParametersIVF all;
  all.nprobe = nlist;
  for (size_t qi = 0; qi < nq; ++qi) {
    const float* q = &queries[qi * d];
    ASSERT_TRUE(ivf->score_bounds(q, idx_t(nb), labels.data(), est.data(), bound.data()));
    scalar->search(1, q, idx_t(nb), D.data(), I.data(), &all);
    for (size_t r = 0; r < nb; ++r) {
      const size_t id = size_t(I[r]);
      EXPECT_NEAR(est[id], D[r], 1e-4f) << "label " << id;
      const double exact = testing::exact_distance(q, &base[id * d], d, metric);
      EXPECT_LE(std::abs(est[id] - exact), bound[id] + 1e-4) << "label " << id;
    }
  }
  const idx_t unknown[] = {0, idx_t(nb)};
  EXPECT_THROW(ivf->score_bounds(queries.data(), 2, unknown, est.data(), bound.data()), InvalidArgument);

  auto source = std::make_unique<InMemoryVectorSource>(d);
  source->append(nb, base.data());
  IndexRerank rerank(std::move(ivf), std::move(source), 20.0f);
  std::vector<float> Dp(nq * k), Df(nq * k);
  std::vector<idx_t> Ip(nq * k), If(nq * k);
  SearchParametersRerank pruned, full;
  RerankStats sp, sf;
  pruned.stats = &sp;
  pruned.bound_with_in_memory_source = true;
  full.stats = &sf;
  full.use_error_bound = false;
  rerank.search(nq, queries.data(), k, Dp.data(), Ip.data(), &pruned);
  rerank.search(nq, queries.data(), k, Df.data(), If.data(), &full);
  EXPECT_EQ(Ip, If);
  EXPECT_EQ(Dp, Df);
  EXPECT_EQ(sp.candidates, sf.candidates);
  EXPECT_LT(sp.fetched, sp.candidates);
}

INSTANTIATE_TEST_SUITE_P(Metrics, IvfScoreBoundsTest, ::testing::Values(faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT));

TEST(IndexCodecIVF, SelectorStandaloneCodesAndReconstruct) {
  const size_t d = 12, nb = 600, nlist = 8;
  const auto base = testing::random_vectors(nb, d, 1.0f, 13);
  auto index = make_ivf(std::make_unique<Uniform4bitCodec>(d, 2.0f), nlist, faiss::METRIC_L2);
  index->train(nb, base.data());
  index->add(nb, base.data());
  // Only ids < 100 may come back.
  faiss::IDSelectorRange small(0, 100);
  faiss::SearchParametersIVF params;
  params.nprobe = nlist;
  params.sel = &small;
  std::vector<float> D(20);
  std::vector<idx_t> I(20);
  index->search(1, base.data() + 300 * d, 20, D.data(), I.data(), &params);
  for (idx_t id : I) {
    EXPECT_GE(id, 0);
    EXPECT_LT(id, 100);
  }
  // sa_encode carries the list number; sa_decode = centroid + decoded residual = reconstruct.
  index->make_direct_map(true);
  std::vector<uint8_t> code(index->sa_code_size());
  index->sa_encode(1, base.data() + 7 * d, code.data());
  std::vector<float> a(d), b(d);
  index->sa_decode(1, code.data(), a.data());
  index->reconstruct(7, b.data());
  for (size_t j = 0; j < d; ++j) {
    EXPECT_FLOAT_EQ(a[j], b[j]);
    EXPECT_NEAR(a[j], base[7 * d + j], 4.0f / 15 / 2 + 1e-5);  // half a quantization step of the residual
  }
}

// METRIC_L2 with the query prepared once per query: the scanner's distance to entry i of list l must
// equal the definition with the residual query, ||q - c||^2 + ||r_i||^2 - 2 est<q - c, r_i>, computed
// here with the codec's scalar estimator on q - c (what the scanner did before the per-entry term).
// Scalar path (fast scan off), real codecs and a test codec: equal within float rounding (1e-4 relative;
// the two forms differ only by the order of float operations). Fast-scan path, every SIMD level: bit
// equal across levels, and within the LUT-quantization bound of the reference: |Δest| <= nsub * scale / 2
// with scale = (largest LUT row range) / 255 (lib/scan/lut_quantizer.h), and the distance carries
// -2 est, so 2 * that bound (+ 1e-4 relative).
TEST(IndexCodecIVF, L2DistancesEqualResidualQueryDefinition) {
  const size_t d = 16, nb = 1500, nq = 6, nlist = 8;
  const auto base = testing::random_vectors(nb, d, 1.0f, 21);
  const auto queries = testing::random_vectors(nq, d, 1.0f, 22);
  struct Case {
    std::string name;
    std::function<std::unique_ptr<Codec>()> make;
    bool fastscan;
  };
  const std::vector<Case> cases = {
      {"TestU4 scalar", [&] { return std::make_unique<Uniform4bitCodec>(d, 2.0f); }, false},
      {"RaBitQ1 scalar", [&] { return make_codec("RaBitQ1", d); }, false},
      {"TQ2_center scalar", [&] { return make_codec("TQ2_center", d); }, false},
      {"TestU4 fast scan", [&] { return std::make_unique<Uniform4bitCodec>(d, 2.0f); }, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    IndexCodecIVF index(std::make_unique<faiss::IndexFlatL2>(static_cast<int>(d)), nlist, c.make(),
                        faiss::METRIC_L2, c.fastscan);
    ASSERT_EQ(index.uses_fastscan(), c.fastscan);
    index.train(nb, base.data());
    index.add(nb, base.data());
    std::vector<float> centroid(d), qc(d);
    for (size_t qi = 0; qi < nq; ++qi) {
      const float* q = queries.data() + qi * d;
      float lut_bound = 0;  // TestU4: row j spans |q_j| * 2 * range
      for (size_t j = 0; j < d; ++j) lut_bound = std::max(lut_bound, std::fabs(q[j]) * 4.0f / 255.0f);
      lut_bound *= static_cast<float>(d) / 2;
      std::vector<std::vector<float>> first_level(nlist);
      for (int lv = 0; lv <= (c.fastscan ? static_cast<int>(cpu_simd_level()) : 0); ++lv) {
        set_simd_level_for_testing(static_cast<SimdLevel>(lv));
        std::unique_ptr<faiss::InvertedListScanner> scanner(index.get_InvertedListScanner());
        scanner->set_query(q);
        for (size_t l = 0; l < nlist; ++l) {
          const size_t n = index.invlists->list_size(l);
          if (n == 0) continue;
          faiss::InvertedLists::ScopedCodes codes(index.invlists, l);
          faiss::InvertedLists::ScopedIds ids(index.invlists, l);
          scanner->set_list(static_cast<idx_t>(l), 0.0f);
          // k = n: every entry lands in the heap; map back by id.
          std::vector<float> D(n);
          std::vector<idx_t> I(n);
          faiss::maxheap_heapify(n, D.data(), I.data());
          scanner->scan_codes(n, codes.get(), ids.get(), D.data(), I.data(), n);
          std::vector<float> by_pos(n);
          for (size_t r = 0; r < n; ++r) {
            const size_t pos = static_cast<size_t>(std::find(ids.get(), ids.get() + n, I[r]) - ids.get());
            ASSERT_LT(pos, n);
            by_pos[pos] = D[r];
          }
          // Reference: the codec on q - c.
          index.quantizer->reconstruct(static_cast<idx_t>(l), centroid.data());
          double qc_norm = 0;
          for (size_t j = 0; j < d; ++j) {
            qc[j] = q[j] - centroid[j];
            qc_norm += double(qc[j]) * qc[j];
          }
          const auto state = index.codec().prepare_query(qc.data());
          std::vector<float> est(n);
          index.codec().estimate_ip(*state, n, codes.get(), est.data());
          for (size_t i = 0; i < n; ++i) {
            const double ref = qc_norm + index.codec().stored_norm_sq(codes.get() + i * index.code_size) - 2.0 * est[i];
            const double tol = 1e-4 * (1 + std::fabs(ref)) + (c.fastscan ? 2.0 * lut_bound : 0.0);
            ASSERT_NEAR(by_pos[i], ref, tol) << "query " << qi << " list " << l << " entry " << i;
            if (!c.fastscan) {
              ASSERT_NEAR(scanner->distance_to_code(codes.get() + i * index.code_size), ref, tol);
            }
          }
          if (lv == 0) first_level[l] = by_pos;
          else EXPECT_EQ(by_pos, first_level[l]);
        }
      }
      set_simd_level_for_testing(cpu_simd_level());
    }
  }
}

// The per-entry L2 terms are derived state: codes added behind the index's back (FAISS's own
// add_sa_codes, without ipaq::add_sa_codes) make search refuse with StateError until sync_packed().
TEST(IndexCodecIVF, L2TermsMustBeSynced) {
  const size_t d = 8, nb = 200, nlist = 4;
  const auto base = testing::random_vectors(nb, d, 1.0f, 23);
  auto index = make_ivf(std::make_unique<Uniform4bitCodec>(d, 2.0f), nlist, faiss::METRIC_L2);
  index->train(nb, base.data());
  index->add(100, base.data());
  std::vector<uint8_t> codes(100 * index->sa_code_size());
  index->sa_encode(100, base.data() + 100 * d, codes.data());
  index->faiss::IndexIVF::add_sa_codes(100, codes.data(), nullptr);
  std::vector<float> D(5);
  std::vector<idx_t> I(5);
  faiss::SearchParametersIVF all;
  all.nprobe = nlist;
  EXPECT_THROW(index->search(1, base.data(), 5, D.data(), I.data(), &all), StateError);
  index->sync_packed();
  index->search(1, base.data() + 150 * d, 5, D.data(), I.data(), &all);
  EXPECT_EQ(I[0], 150);  // itself, through the codes added behind the index's back
}

TEST(IndexCodecIVF, RejectsBadArguments) {
  const size_t d = 4;
  auto base = testing::random_vectors(64, d, 1.0f, 14);
  auto index = make_ivf(std::make_unique<ExactFloatCodec>(d), 4, faiss::METRIC_L2);
  std::vector<float> D(2);
  std::vector<idx_t> I(2);
  EXPECT_THROW(index->add(64, base.data()), StateError);
  index->train(64, base.data());
  index->add(64, base.data());
  EXPECT_THROW(index->search(1, base.data(), 0, D.data(), I.data()), InvalidArgument);
  faiss::SearchParameters not_ivf;
  EXPECT_THROW(index->search(1, base.data(), 1, D.data(), I.data(), &not_ivf), InvalidArgument);
  base[1] = std::numeric_limits<float>::infinity();
  EXPECT_THROW(index->search(1, base.data(), 1, D.data(), I.data()), InvalidArgument);
  EXPECT_THROW(make_ivf(std::make_unique<ExactFloatCodec>(d), 0, faiss::METRIC_L2), std::exception);
  EXPECT_THROW(IndexCodecIVF(std::make_unique<faiss::IndexFlatL2>(5), 4, std::make_unique<ExactFloatCodec>(d),
                             faiss::METRIC_L2),
               InvalidArgument);
}

}  // namespace
}  // namespace ipaq

namespace ipaq {
namespace {

// IVF fast scan (packed lists, lib/scan kernels) vs the scalar scanner over the same centroids and
// lists, for both metrics: every SIMD level gives bit-identical results, and the fast index finds >= 90 %
// of the scalar index's top-10. Two adds (the second appends to partly filled blocks); checked again
// after remove_ids of ids [drop_lo, drop_hi) (entries move).
void check_fast_scan_against_scalar(const std::function<std::unique_ptr<Codec>(size_t)>& make, size_t nb,
                                    size_t first_add, idx_t drop_lo, idx_t drop_hi, uint32_t seed) {
  const size_t d = 16, nq = 20, k = 10, nlist = 8;
  const auto base = testing::random_vectors(nb, d, 1.0f, seed);
  const auto queries = testing::random_vectors(nq, d, 1.0f, seed + 1);
  for (faiss::MetricType metric : {faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT}) {
    SCOPED_TRACE(metric == faiss::METRIC_L2 ? "L2" : "IP");
    auto fast = make_ivf(make(d), nlist, metric);
    ASSERT_TRUE(fast->uses_fastscan());
    fast->train(nb, base.data());
    // Same centroids for the reference index.
    std::vector<float> centroids(nlist * d);
    fast->quantizer->reconstruct_n(0, nlist, centroids.data());
    std::unique_ptr<faiss::Index> q;
    if (metric == faiss::METRIC_L2) q = std::make_unique<faiss::IndexFlatL2>(d);
    else q = std::make_unique<faiss::IndexFlatIP>(d);
    q->add(nlist, centroids.data());
    IndexCodecIVF ref(std::move(q), nlist, make(d), metric, false);
    ASSERT_FALSE(ref.uses_fastscan());
    ASSERT_TRUE(ref.is_trained);
    for (auto* ix : {static_cast<faiss::IndexIVF*>(fast.get()), static_cast<faiss::IndexIVF*>(&ref)}) {
      ix->add(first_add, base.data());
      ix->add(nb - first_add, base.data() + first_add * d);
    }
    faiss::SearchParametersIVF params;
    params.nprobe = 3;
    auto compare = [&] {
      std::vector<float> Dr(nq * k), D0;
      std::vector<idx_t> Ir(nq * k), I0;
      ref.search(nq, queries.data(), k, Dr.data(), Ir.data(), &params);
      for (int lv = 0; lv <= static_cast<int>(cpu_simd_level()); ++lv) {
        set_simd_level_for_testing(static_cast<SimdLevel>(lv));
        std::vector<float> D(nq * k);
        std::vector<idx_t> I(nq * k);
        fast->search(nq, queries.data(), k, D.data(), I.data(), &params);
        if (lv == 0) {
          D0 = D;
          I0 = I;
        } else {
          EXPECT_EQ(I, I0);
          EXPECT_EQ(D, D0);
        }
      }
      set_simd_level_for_testing(cpu_simd_level());
      EXPECT_GE(testing::recall_at_k(Ir, I0, nq, k, k, k), 0.9);
    };
    compare();
    faiss::IDSelectorRange drop(drop_lo, drop_hi);
    EXPECT_EQ(fast->remove_ids(drop), size_t(drop_hi - drop_lo));
    EXPECT_EQ(ref.remove_ids(drop), size_t(drop_hi - drop_lo));
    compare();
  }
}

// 4-bit LUT (Uniform4bitCodec, 32-vector blocks). Why 0.9: LUT rounding perturbs each distance by at most
// nsub * scale / 2 (lut_quantizer.h) = 16 * (range of a LUT row / 255) / 2, about 1 % of the distance
// spread here, so only near-ties between ranks 10 and 11 can swap.
TEST(IndexCodecIVF, FastScanListsAgreeWithScalarScanner) {
  check_fast_scan_against_scalar([](size_t d) { return std::make_unique<Uniform4bitCodec>(d, 2.0f); }, 3000, 1001,
                                 500, 1500, 15);
}

// 8-bit LUT codecs (TQ3: two 3-bit coordinates per 6-bit sub-code, lut_bits() == 8, 64-vector blocks of
// lib/scan/fastscan_8bit.h): 8 sub-codes with a 255-level scale, a perturbation far below the distance
// gaps here.
TEST(IndexCodecIVF, FastScan8ListsAgreeWithScalarScanner) {
  auto probe = make_ivf(make_codec("TQ3", 16), 8, faiss::METRIC_L2);
  ASSERT_EQ(probe->codec().lut_bits(), 8);
  ASSERT_NE(probe->fastscan8_layout(), nullptr);
  ASSERT_EQ(probe->fastscan_layout(), nullptr);
  check_fast_scan_against_scalar([](size_t d) { return make_codec("TQ3", d); }, 2000, 777, 100, 900, 31);
}

// The IVF codec scores the query itself under both metrics, so the workload reaches it unchanged and the
// codec is trained on the residuals of the training set: equal (serialized byte for byte) to a standalone
// codec given the same queries and residuals.
TEST(IndexCodecIVF, QueryWorkloadReachesTheCodecUnchanged) {
  const size_t d = 64, n = 400, nq = 40, nlist = 4;
  auto base = testing::random_vectors(n, d, 1.0f, 31);
  auto queries = testing::random_vectors(nq, d, 1.0f, 32);
  for (size_t i = 0; i < queries.size(); ++i) queries[i] *= 1.0f + 3.0f * static_cast<float>((i % d) < 8);  // skewed
  for (faiss::MetricType metric : {faiss::METRIC_L2, faiss::METRIC_INNER_PRODUCT}) {
    SCOPED_TRACE(metric == faiss::METRIC_L2 ? "L2" : "IP");
    auto index = make_ivf(make_codec("ASQ4w", d), nlist, metric);
    index->set_query_workload(static_cast<idx_t>(nq), queries.data());
    index->train(static_cast<idx_t>(n), base.data());
    ASSERT_TRUE(index->is_trained);
    std::vector<idx_t> assign(n);
    index->quantizer->assign(static_cast<idx_t>(n), base.data(), assign.data());
    std::vector<float> residuals(n * d);
    index->quantizer->compute_residual_n(static_cast<idx_t>(n), base.data(), residuals.data(), assign.data());
    auto codec = make_codec("ASQ4w", d);
    codec->set_query_workload(nq, d, queries.data());
    codec->train(n, residuals.data());
    ByteWriter expected, got;
    codec->serialize(expected);
    index->codec().serialize(got);
    EXPECT_EQ(got.str(), expected.str());
  }
  auto no_workload = make_ivf(make_codec("ASQ4w", d), nlist, faiss::METRIC_L2);
  EXPECT_THROW(no_workload->train(static_cast<idx_t>(n), base.data()), StateError);
  auto unweighted = make_ivf(make_codec("TQ4", d), nlist, faiss::METRIC_L2);
  EXPECT_THROW(unweighted->set_query_workload(static_cast<idx_t>(nq), queries.data()), InvalidArgument);
  EXPECT_THROW(unweighted->set_query_workload(0, queries.data()), InvalidArgument);
}

// The scanner's compact per-list side arrays hold exactly the side bytes of the list's codes, in list
// order, after adds in several batches and after remove_ids (the fast-scan search itself is checked
// against the scalar scanner above).
TEST(IndexCodecIVF, SideListsMirrorTheListCodes) {
  const size_t d = 64, n = 900, nlist = 8;
  const auto base = testing::random_vectors(n, d, 1.0f, 51);
  for (const char* descriptor : {"RaBitQ1", "TQP3", "TQ3"}) {  // one group, two groups, 8-bit LUT
    SCOPED_TRACE(descriptor);
    auto index = make_ivf(make_codec(descriptor, d), nlist, faiss::METRIC_L2);
    index->train(static_cast<idx_t>(n), base.data());
    ASSERT_TRUE(index->uses_fastscan());
    const Codec& codec = index->codec();
    const size_t side_size = codec.lut_side_size(), side_offset = codec.lut_side_offset();
    ASSERT_GT(side_size, 0u);
    auto check = [&] {
      size_t total = 0;
      for (size_t list = 0; list < nlist; ++list) {
        const size_t size = index->invlists->list_size(list);
        size_t packed = 0;
        index->packed_list(list, &packed);
        ASSERT_EQ(packed, size);
        total += size;
        faiss::InvertedLists::ScopedCodes codes(index->invlists, list);
        const uint8_t* side = index->side_list(list);
        for (size_t i = 0; i < size; ++i) {
          ASSERT_TRUE(std::equal(side + i * side_size, side + (i + 1) * side_size,
                                 codes.get() + i * codec.code_size() + side_offset))
              << "list " << list << " entry " << i;
        }
      }
      EXPECT_EQ(total, static_cast<size_t>(index->ntotal));
    };
    index->add(static_cast<idx_t>(n / 3), base.data());
    index->add(static_cast<idx_t>(n - n / 3), base.data() + (n / 3) * d);
    check();
    faiss::IDSelectorRange drop(100, 400);
    EXPECT_EQ(index->remove_ids(drop), 300u);
    check();
  }
}

// merge_from (FAISS's) first checks that the codes are compatible: another IndexCodecIVF whose codec has
// the same trained state (a codec of another seed gives the same descriptor and code size but other
// codes: InvalidArgument, both indexes untouched), then FAISS's checks (the same coarse centroids).
TEST(IndexCodecIVF, MergeRefusesAnotherTrainedCodec) {
  const size_t d = 32, nb = 400, nlist = 4;
  const auto a = testing::random_vectors(nb, d, 1.0f, 71), b = testing::random_vectors(nb, d, 1.0f, 72);
  const auto make = [&](uint64_t seed, const std::vector<float>& x) {
    auto index = make_ivf(make_codec("RaBitQ1", d, CodecOptions{seed}), nlist, faiss::METRIC_L2);
    index->train(static_cast<idx_t>(nb), x.data());
    index->add(static_cast<idx_t>(nb), x.data());
    return index;
  };
  auto into = make(1, a), other_seed = make(2, a);
  EXPECT_THROW(into->merge_from(*other_seed, 0), InvalidArgument);
  EXPECT_EQ(into->ntotal, static_cast<idx_t>(nb));
  EXPECT_EQ(other_seed->ntotal, static_cast<idx_t>(nb));
  faiss::IndexFlatL2 not_ivf(static_cast<int>(d));
  EXPECT_THROW(into->merge_from(not_ivf, 0), InvalidArgument);
  auto other_centroids = make(1, b);  // the same codec state, other coarse centroids: FAISS refuses
  EXPECT_ANY_THROW(into->merge_from(*other_centroids, 0));
  EXPECT_EQ(into->ntotal, static_cast<idx_t>(nb));
  auto same = make(1, a);
  into->merge_from(*same, 0);
  EXPECT_EQ(into->ntotal, static_cast<idx_t>(2 * nb));
  EXPECT_EQ(same->ntotal, 0);
}

}  // namespace
}  // namespace ipaq

namespace ipaq {
namespace {

// qa5 findings 2 and 6: fewer training rows than lists threw faiss::FaissException ("nx >= k"); a row
// whose squared norm overflows float32 reached k-means; a standalone code of a row the coarse quantizer
// assigned to no list (-1) was stored as list 0. All InvalidArgument now, the index left as it was.
TEST(IndexCodecIVF, TrainAndStandaloneCodesRejectUnusableRows) {
  const size_t d = 16, nlist = 8;
  auto index = make_ivf(std::make_unique<ExactFloatCodec>(d), nlist, faiss::METRIC_L2);
  const auto base = testing::random_vectors(200, d, 1.0f, 21);
  EXPECT_THROW(index->train(static_cast<idx_t>(nlist - 1), base.data()), InvalidArgument);
  EXPECT_THROW(index->train(4, nullptr), InvalidArgument);
  auto huge = base;
  huge[7 * d + 1] = 3e38f;
  EXPECT_THROW(index->train(200, huge.data()), InvalidArgument);
  EXPECT_FALSE(index->is_trained);
  EXPECT_EQ(index->quantizer->ntotal, 0);
  index->train(200, base.data());
  ASSERT_TRUE(index->is_trained);
  index->train(static_cast<idx_t>(nlist - 1), base.data());  // coarse centroids present: the codec is trained already

  const idx_t lists[3] = {2, -1, 5};
  std::vector<uint8_t> codes(3 * (index->coarse_code_size() + index->code_size));
  try {
    index->encode_vectors(3, base.data(), lists, codes.data(), /*include_listno=*/true);
    ADD_FAILURE() << "a row assigned to no list was encoded as a standalone code";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("row 1"), std::string::npos) << e.what();
  }
  index->encode_vectors(3, base.data(), lists, codes.data(), /*include_listno=*/false);  // add_core skips -1 rows
  EXPECT_THROW(index->sa_encode(1, huge.data() + 7 * d, codes.data()), InvalidArgument);
  EXPECT_EQ(index->ntotal, 0);
}

}  // namespace
}  // namespace ipaq
