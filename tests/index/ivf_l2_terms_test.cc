// IndexCodecIVF's per-entry L2 terms ||r||^2 + 2 est<c, r> (centroid c): computed from the centroid's float
// LUT summed over the entries' sub-codes + finish_lut_sums (codecs with a LUT form), checked against the
// scalar reference estimate_ip over the assembled codes within a bound from the summation error; and the
// same bits whichever path computes them (add, sync_packed after codes added behind the index's back, a
// full recompute — what a reopen does).
#include <faiss/IndexFlat.h>
#include <faiss/invlists/InvertedLists.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "index/index_codec_ivf.h"
#include "lib/codecs/codec.h"
#include "tests/index/index_test_util.h"
#include "tests/index/ivf_test_support.h"

namespace ipaq {
namespace {

using idx_t = faiss::Index::idx_t;
constexpr size_t kDim = 64;
constexpr size_t kNlist = 6;

std::unique_ptr<IndexCodecIVF> make_trained(const std::string& descriptor, const std::vector<float>& train,
                                            bool fastscan) {
  return testing::trained_ivf(descriptor, kDim, faiss::METRIC_L2, kNlist, train, fastscan);
}

std::vector<float> terms_of(const IndexCodecIVF& index, size_t list) {
  size_t count = 0;
  const float* terms = index.l2_terms(list, &count);
  return std::vector<float>(terms, terms + count);
}

// 4-bit LUT, one group (RaBitQ1) and two (TQP3); 8-bit LUT (TQ3); 4-bit scalar codes (TQ4).
TEST(IvfL2Terms, LutSumsMatchScalarEstimatorWithinSummationBound) {
  const size_t nb = 900;
  const auto base = testing::random_vectors(nb, kDim, 1.0f, 4242);
  const float eps = std::numeric_limits<float>::epsilon();
  for (const char* descriptor : {"RaBitQ1", "TQP3", "TQ3", "TQ4"}) {
    for (bool fastscan : {true, false}) {
      SCOPED_TRACE(std::string(descriptor) + (fastscan ? " packed" : " faiss lists"));
      auto index = make_trained(descriptor, base, fastscan);
      index->add(static_cast<idx_t>(nb / 2), base.data());
      index->add(static_cast<idx_t>(nb - nb / 2), base.data() + nb / 2 * kDim);
      const Codec& codec = index->codec();
      ASSERT_GT(codec.lut_bits(), 0);
      const size_t nsub = codec.lut_nsub(), width = size_t{1} << codec.lut_bits(), cs = codec.code_size();
      const std::vector<size_t> gb = codec.lut_group_begin();
      const size_t groups = gb.size() - 1;
      size_t checked = 0;
      for (size_t list = 0; list < kNlist; ++list) {
        const std::vector<float> terms = terms_of(*index, list);
        const size_t n = index->invlists->list_size(list);
        ASSERT_EQ(terms.size(), n);
        if (n == 0) continue;
        std::vector<float> centroid(kDim);
        index->quantizer->reconstruct(static_cast<idx_t>(list), centroid.data());
        const auto state = codec.prepare_query(centroid.data());
        faiss::InvertedLists::ScopedCodes codes(index->invlists, list);
        std::vector<float> ip(n);
        codec.estimate_ip(*state, n, codes.get(), ip.data());
        std::vector<uint8_t> sub(n * nsub);
        codec.extract_sub_codes(n, codes.get(), sub.data());
        for (size_t i = 0; i < n; ++i) {
          const uint8_t* code = codes.get() + i * cs;
          const float norm = codec.stored_norm_sq(code);
          const float reference = norm + 2.0f * ip[i];
          // Both the LUT path and the reference sum (at most) nsub terms per group: each within
          // (nsub - 1) eps * sum |terms| of the exact sum (recursive summation), so they differ by at most
          // 2 nsub eps * sum |terms|, scaled by the finish's factor a_g = |finish(e_g) - finish(0)| (finish
          // is affine in the group sums), doubled by the 2 <c, r>; plus a few roundings of the result.
          std::vector<float> sums(groups, 0.0f);
          float zero = 0.0f;
          codec.finish_lut_sums(*state, 1, code, sums.data(), &zero);
          double bound = 4.0 * eps * (std::fabs(norm) + 2.0 * std::fabs(ip[i]));
          for (size_t g = 0; g < groups; ++g) {
            double abs_sum = 0.0;
            for (size_t j = gb[g]; j < gb[g + 1]; ++j) abs_sum += std::fabs(state->lut[j * width + sub[i * nsub + j]]);
            std::fill(sums.begin(), sums.end(), 0.0f);
            sums[g] = 1.0f;
            float unit = 0.0f;
            codec.finish_lut_sums(*state, 1, code, sums.data(), &unit);
            bound += 2.0 * 2.0 * static_cast<double>(nsub) * eps * std::fabs(unit - zero) * abs_sum;
          }
          EXPECT_LE(std::fabs(terms[i] - reference), bound) << "list " << list << " entry " << i;
          // The bound is tight enough to mean something: far below the term's own scale.
          EXPECT_LT(bound, 1e-3 * (std::fabs(reference) + std::fabs(norm) + 1.0));
          ++checked;
        }
      }
      EXPECT_EQ(checked, nb);
    }
  }
}

TEST(IvfL2Terms, AddSyncAndRecomputeGiveTheSameBits) {
  const size_t nb = 700;
  const auto base = testing::random_vectors(nb, kDim, 1.0f, 77);
  const auto queries = testing::random_vectors(8, kDim, 1.0f, 78);
  for (const char* descriptor : {"RaBitQ1", "TQP3", "TQ3"}) {
    SCOPED_TRACE(descriptor);
    auto by_add = make_trained(descriptor, base, true);
    by_add->add(static_cast<idx_t>(nb), base.data());
    // Codes added behind the index's back, then sync_packed (FAISS's add_sa_codes path).
    auto by_sync = testing::empty_copy(*by_add);
    std::vector<uint8_t> codes(nb * by_add->sa_code_size());
    by_add->sa_encode(static_cast<idx_t>(nb), base.data(), codes.data());
    by_sync->faiss::IndexIVF::add_sa_codes(static_cast<idx_t>(nb), codes.data(), nullptr);
    by_sync->sync_packed();
    std::vector<std::vector<float>> before(kNlist);
    for (size_t list = 0; list < kNlist; ++list) before[list] = terms_of(*by_add, list);
    by_add->sync_packed(true);  // every term recomputed from the packed lists
    for (size_t list = 0; list < kNlist; ++list) {
      EXPECT_EQ(terms_of(*by_add, list), before[list]) << "list " << list;
      EXPECT_EQ(terms_of(*by_sync, list), before[list]) << "list " << list;
    }
    std::vector<float> Da(8 * 10), Db(8 * 10);
    std::vector<idx_t> Ia(8 * 10), Ib(8 * 10);
    by_add->search(8, queries.data(), 10, Da.data(), Ia.data());
    by_sync->search(8, queries.data(), 10, Db.data(), Ib.data());
    EXPECT_EQ(Ia, Ib);
    EXPECT_EQ(Da, Db);
  }
}

}  // namespace
}  // namespace ipaq
