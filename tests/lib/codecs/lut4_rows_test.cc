// The SIMD 4-bit LUT rows of prepare_query (lib/codecs/lut4_rows.h) against their slow twins: the AVX2
// kernel equals the scalar formula entry for entry, and every 4-bit LUT codec prepares the same float LUT
// at every IPAQ_SIMD level as at the scalar level (which runs RotatedCodec's reference builder), including
// a partial last sub-code, per-block codebooks and two-segment codecs.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../scan/simd_levels.h"
#include "codec_test_data.h"
#include "lib/codecs/codec.h"
#include "lib/codecs/lut4_rows.h"
#include "lib/core/random.h"

namespace ipaq {
namespace {

using testing::for_each_simd_level;

// Queries with exact zeros, tiny and large magnitudes (rounding of the double sums matters there).
std::vector<float> kernel_query(size_t n, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> q(n);
  for (size_t i = 0; i < n; ++i) {
    const double v = rng.normal();
    q[i] = i % 11 == 0 ? 0.0f : static_cast<float>(i % 7 == 0 ? v * 1e6 : i % 5 == 0 ? v * 1e-6 : v);
  }
  return q;
}

TEST(Lut4Rows, SimdKernelsEqualScalarFormula) {
  if (cpu_simd_level() < SimdLevel::kAvx2) GTEST_SKIP() << "no AVX2 on this CPU";
  for (int bits : {1, 2, 4}) {
    for (size_t rows_per_book : {size_t{0}, size_t{1}, size_t{3}}) {
      SCOPED_TRACE(::testing::Message() << "bits " << bits << " rows_per_book " << rows_per_book);
      const size_t nrows = 37, elems = nrows * (4 / bits), words = size_t{1} << bits;
      const std::vector<float> q = kernel_query(elems, 5 + bits);
      Rng rng(99);
      std::vector<float> books(nrows * words);
      for (auto& w : books) w = static_cast<float>(rng.normal());
      std::vector<float> fast(16 * nrows, -1.0f), slow(16 * nrows, -2.0f);
      build_lut4_rows_scalar(bits, nrows, q.data(), books.data(), rows_per_book, slow.data());
      build_lut4_rows_avx2(bits, nrows, q.data(), books.data(), rows_per_book, fast.data());
      for (size_t i = 0; i < fast.size(); ++i) ASSERT_EQ(fast[i], slow[i]) << "AVX2 entry " << i;
      if (cpu_simd_level() < SimdLevel::kAvx512) continue;
      std::fill(fast.begin(), fast.end(), -1.0f);
      build_lut4_rows_avx512(bits, nrows, q.data(), books.data(), rows_per_book, fast.data());
      for (size_t i = 0; i < fast.size(); ++i) ASSERT_EQ(fast[i], slow[i]) << "AVX-512 entry " << i;
    }
  }
}

TEST(Lut4Rows, ScalarFormulaSpotCheck) {
  // One 1-bit row by hand: entry v = Σ_t q_t · w[bit t of v].
  const float q[4] = {1.0f, 2.0f, 4.0f, 8.0f}, w[2] = {-1.0f, 0.5f};
  float row[16];
  build_lut4_rows_scalar(1, 1, q, w, 0, row);
  for (unsigned v = 0; v < 16; ++v) {
    float expect = 0.0f;
    for (int t = 0; t < 4; ++t) expect += q[t] * w[(v >> t) & 1];
    EXPECT_EQ(row[v], expect) << v;
  }
}

struct PrepCase {
  std::string descriptor;
  size_t d;
};

class Lut4PrepareQueryTest : public ::testing::TestWithParam<PrepCase> {};

TEST_P(Lut4PrepareQueryTest, EveryLevelEqualsReferenceBuilder) {
  const size_t d = GetParam().d;
  auto codec = make_codec(GetParam().descriptor, d, CodecOptions{21});
  const std::vector<float> x = test::random_unit_vectors(16, d, 3);
  if (!codec->is_trained()) codec->train(16, x.data());
  ASSERT_EQ(codec->lut_bits(), 4);
  const std::vector<float> q = test::random_unit_vectors(1, d, 4);
  set_simd_level_for_testing(SimdLevel::kScalar);
  const std::vector<float> reference = codec->prepare_query(q.data())->lut;
  ASSERT_EQ(reference.size(), codec->lut_nsub() * 16);
  for_each_simd_level([&](SimdLevel) {
    const std::vector<float> lut = codec->prepare_query(q.data())->lut;
    ASSERT_EQ(lut.size(), reference.size());
    for (size_t i = 0; i < lut.size(); ++i) ASSERT_EQ(lut[i], reference[i]) << "entry " << i;
  });
}

std::vector<PrepCase> prep_cases() {
  std::vector<PrepCase> cases;
  for (const char* desc : {"RaBitQ1", "TQ1", "TQ2", "TQ4", "EDEN1", "EDEN2", "EDEN4", "EDEN2b", "TQP2", "TQP3",
                           "BSQ1x4", "ASQ2", "ASQ4k", "ASQ1n", "TQ4_center", "RaBitQ1_center"}) {
    for (size_t d : {size_t{784}, size_t{1024}}) cases.push_back({desc, d});
  }
  // Dense rotations keep d: 102 coordinates leave a partial last sub-code at 1 and 2 bits.
  for (const char* desc : {"RaBitQ1_haar", "TQ1_haar", "TQ2_haar", "TQ4_haar", "ASQ1k_haar"}) cases.push_back({desc, 102});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(FourBitCodecs, Lut4PrepareQueryTest, ::testing::ValuesIn(prep_cases()),
                         [](const ::testing::TestParamInfo<PrepCase>& info) {
                           return info.param.descriptor + "_d" + std::to_string(info.param.d);
                         });

}  // namespace
}  // namespace ipaq
