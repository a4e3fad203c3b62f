// ASQ codec: training state, the codec contract (LUT form, serialization), and the rounding properties
// (stochastic = unbiased over rotations; nearest never worse than stochastic on the same levels).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "codec_test_data.h"
#include "lib/codecs/codec.h"
#include "lib/core/error.h"

namespace ipaq {
namespace {

using test::dot;
using test::random_unit_vectors;

std::unique_ptr<Codec> trained(const std::string& desc, size_t d, const std::vector<float>& sample, uint64_t seed = 5) {
  auto codec = make_codec(desc, d, CodecOptions{seed});
  codec->train(sample.size() / d, sample.data());
  return codec;
}

TEST(AsqCodec, NeedsTraining) {
  auto codec = make_codec("ASQ4", 128);
  EXPECT_FALSE(codec->is_trained());
  std::vector<float> x = random_unit_vectors(1, 128, 1);
  std::vector<uint8_t> code(codec->code_size());
  EXPECT_THROW(codec->encode(1, x.data(), code.data()), StateError);
  EXPECT_THROW(codec->prepare_query(x.data()), StateError);
  std::vector<float> zeros(128 * 3, 0.0f);
  EXPECT_THROW(codec->train(3, zeros.data()), InvalidArgument);
  codec->train(1, x.data());
  EXPECT_TRUE(codec->is_trained());
}

class AsqContractTest : public ::testing::TestWithParam<std::pair<const char*, size_t>> {};

TEST_P(AsqContractTest, LutSerializationDecode) {
  const auto [desc, d] = GetParam();
  const auto sample = random_unit_vectors(200, d, 2);
  auto codec = trained(desc, d, sample);
  const size_t n = 10;
  const auto x = random_unit_vectors(n, d, 3), q = random_unit_vectors(1, d, 4);
  std::vector<uint8_t> codes(n * codec->code_size());
  codec->encode(n, x.data(), codes.data());
  auto qs = codec->prepare_query(q.data());
  std::vector<float> est(n), via_lut(n), decoded(n * d);
  codec->estimate_ip(*qs, n, codes.data(), est.data());
  codec->decode(n, codes.data(), decoded.data());
  // LUT form against the scalar reference (exact double sums of the float tables).
  const size_t nsub = codec->lut_nsub(), groups = codec->lut_groups(), entries = size_t{1} << codec->lut_bits();
  const auto begin = codec->lut_group_begin();
  std::vector<uint8_t> sub(n * nsub);
  codec->extract_sub_codes(n, codes.data(), sub.data());
  std::vector<float> sums(n * groups);
  for (size_t i = 0; i < n; ++i)
    for (size_t g = 0; g < groups; ++g) {
      double s = 0;
      for (size_t j = begin[g]; j < begin[g + 1]; ++j) s += qs->lut[j * entries + sub[i * nsub + j]];
      sums[i * groups + g] = static_cast<float>(s);
    }
  codec->finish_lut_sums(*qs, n, codes.data(), sums.data(), via_lut.data());
  for (size_t i = 0; i < n; ++i) {
    EXPECT_NEAR(via_lut[i], est[i], 2e-5 * (1 + std::fabs(est[i])));
    EXPECT_NEAR(dot(q.data(), &decoded[i * d], d), est[i], 1e-4);
  }
  // Serialization keeps the trained levels: the restored codec gives identical codes and estimates.
  ByteWriter w;
  codec->serialize(w);
  ByteReader r(w.str(), "asq codec");
  auto restored = deserialize_codec(r);
  r.expect_end();
  ASSERT_TRUE(restored->is_trained());
  std::vector<uint8_t> again(codes.size());
  restored->encode(n, x.data(), again.data());
  EXPECT_EQ(again, codes);
}

INSTANTIATE_TEST_SUITE_P(Variants, AsqContractTest,
                         ::testing::Values(std::pair{"ASQ4", size_t{128}}, std::pair{"ASQ2", size_t{784}},
                                           std::pair{"ASQ3k", size_t{1024}}, std::pair{"ASQ1n", size_t{128}},
                                           std::pair{"ASQ8m", size_t{128}}, std::pair{"ASQ2nk", size_t{784}}));

TEST(AsqCodec, NearestNeverWorseThanStochasticOnSameLevels) {
  // Per coordinate the stochastic error is |x − x↓| or |x↑ − x|, both >= the nearest-rounding error, and
  // the rotation is orthogonal (D = d = 128), so the vector error obeys the same inequality.
  const size_t d = 128, n = 50;
  const auto sample = random_unit_vectors(300, d, 6), x = random_unit_vectors(n, d, 7);
  auto stochastic = trained("ASQ2", d, sample), nearest = trained("ASQ2n", d, sample);
  for (auto* codec : {stochastic.get(), nearest.get()}) ASSERT_TRUE(codec->is_trained());
  std::vector<uint8_t> cs(n * stochastic->code_size()), cn(n * nearest->code_size());
  std::vector<float> ds(n * d), dn(n * d);
  stochastic->encode(n, x.data(), cs.data());
  nearest->encode(n, x.data(), cn.data());
  stochastic->decode(n, cs.data(), ds.data());
  nearest->decode(n, cn.data(), dn.data());
  for (size_t i = 0; i < n; ++i) {
    double es = 0, en = 0;
    for (size_t j = 0; j < d; ++j) {
      es += std::pow(ds[i * d + j] - x[i * d + j], 2);
      en += std::pow(dn[i * d + j] - x[i * d + j], 2);
    }
    EXPECT_LE(en, es + 1e-6) << i;
  }
}

TEST(AsqCodec, StochasticRoundingIsUnbiased) {
  // Mean inner-product error over 100 rotations (each codec trained on the same sample in its own
  // rotated frame): |mean| < 4 SE, as for the other unbiased codecs (codec_distortion_test.cc).
  const size_t d = 128;
  const auto sample = random_unit_vectors(64, d, 8), x = random_unit_vectors(1, d, 9);
  auto noise = random_unit_vectors(1, d, 10);
  std::vector<float> q(d);
  for (size_t j = 0; j < d; ++j) q[j] = 0.7f * x[j] + 0.714f * noise[j];
  const double truth = dot(q.data(), x.data(), d);
  for (const char* desc : {"ASQ1", "ASQ2", "ASQ4k"}) {
    double sum = 0, sum_sq = 0;
    const int seeds = 100;
    for (int s = 0; s < seeds; ++s) {
      auto codec = trained(desc, d, sample, 100 + s);
      std::vector<uint8_t> code(codec->code_size());
      codec->encode(1, x.data(), code.data());
      float est;
      codec->estimate_ip(*codec->prepare_query(q.data()), 1, code.data(), &est);
      sum += est - truth;
      sum_sq += (est - truth) * (est - truth);
    }
    const double mean = sum / seeds, se = std::sqrt((sum_sq / seeds - mean * mean) / (seeds - 1));
    EXPECT_LT(std::fabs(mean), 4 * se) << desc << " mean " << mean << " se " << se;
  }
}

}  // namespace
}  // namespace ipaq
