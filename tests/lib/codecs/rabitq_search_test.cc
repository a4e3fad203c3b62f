// The fast extended-RaBitQ rescale search against the original sort-all-events search.
#include "lib/codecs/rabitq_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "lib/core/random.h"

namespace ipaq {
namespace {

std::vector<float> random_magnitudes(size_t D, uint64_t seed, int distinct) {
  Rng rng(seed);
  std::vector<float> a(D);
  for (float& v : a) {
    // distinct > 0: values from a small set, so that many critical values tie exactly.
    v = distinct > 0 ? static_cast<float>(rng.below(distinct)) / distinct : static_cast<float>(std::fabs(rng.normal()));
  }
  return a;
}

TEST(RaBitQSearch, FastMatchesReferenceCodeForCode) {
  int cases = 0;
  for (size_t D : {1, 2, 7, 128, 784, 1024}) {
    for (int top : {1, 3, 7, 127}) {
      for (int distinct : {0, 5, 64}) {
        for (uint64_t seed = 0; seed < 3; ++seed) {
          if (top == 127 && D > 128) continue;  // the reference sort is slow there; covered by D <= 128
          const std::vector<float> a = random_magnitudes(D, seed * 131 + D + top, distinct);
          std::vector<uint16_t> fast(D, 999), ref(D, 999);
          rabitq_rescale_search(a.data(), D, top, fast.data());
          rabitq_rescale_search_reference(a.data(), D, top, ref.data());
          ASSERT_EQ(fast, ref) << "D=" << D << " top=" << top << " distinct=" << distinct << " seed=" << seed;
          for (uint16_t k : fast) ASSERT_LE(k, top);
          ++cases;
        }
      }
    }
  }
  EXPECT_GT(cases, 150);
}

TEST(RaBitQSearch, AllZeroAndSingleNonZero) {
  std::vector<float> a(16, 0.0f);
  std::vector<uint16_t> k(16, 9);
  rabitq_rescale_search(a.data(), a.size(), 7, k.data());
  EXPECT_EQ(k, std::vector<uint16_t>(16, 0));
  a[3] = 1.0f;  // one non-zero magnitude: the best code puts the top level on it
  rabitq_rescale_search(a.data(), a.size(), 7, k.data());
  std::vector<uint16_t> ref(16);
  rabitq_rescale_search_reference(a.data(), a.size(), 7, ref.data());
  EXPECT_EQ(k, ref);
  EXPECT_EQ(k[3], 7);
}

}  // namespace
}  // namespace ipaq
