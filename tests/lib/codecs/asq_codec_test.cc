// ASQ codec: training state, the codec contract (LUT form, serialization), and the rounding properties
// (stochastic = unbiased over rotations; nearest never worse than stochastic on the same levels).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "codec_test_data.h"
#include "lib/codecs/codec.h"
#include "lib/codecs/float16.h"
#include "lib/codecs/rotated_codec.h"
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
  for (const char* desc : {"ASQ1", "ASQ2", "ASQ4k", "ASQ2v", "ASQ4v", "ASQ2mv"}) {
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

TEST(AsqCodec, PerVectorLevelsLayoutAndHalfLevels) {
  // code = packed fields + 2^b float16 levels + ‖x‖ + scale; no LUT form; no training needed.
  for (int b : {1, 2, 4, 8}) {
    auto codec = make_codec("ASQ" + std::to_string(b) + "v", 784);
    EXPECT_TRUE(codec->is_trained());
    EXPECT_EQ(codec->code_size(), (1024 * b + 7) / 8 + 2 * (size_t{1} << b) + 8) << b;
    EXPECT_EQ(codec->lut_bits(), 0);
  }
  // Decoded rotated coordinates take at most 2^b distinct values, each a float16 value, and the levels
  // cover the vector (end levels rounded outwards): D = d = 128, so decode() is exact up to rotation.
  const size_t d = 128;
  auto codec = make_codec("ASQ2v", d);
  const auto x = random_unit_vectors(4, d, 21);
  std::vector<uint8_t> codes(4 * codec->code_size());
  codec->encode(4, x.data(), codes.data());
  const auto& rc = dynamic_cast<const RotatedCodec&>(*codec);
  for (size_t i = 0; i < 4; ++i) {
    const uint8_t* code = codes.data() + i * codec->code_size();
    std::vector<float> levels(4);
    for (size_t c = 0; c < 4; ++c) {
      uint16_t h;
      std::memcpy(&h, code + d * 2 / 8 + 2 * c, sizeof h);
      levels[c] = half_to_float(h);
      if (c > 0) {
        EXPECT_LT(levels[c - 1], levels[c]);
      }
    }
    std::vector<float> y(d);
    rc.rotation().apply(x.data() + i * d, y.data());
    double norm = 0;
    for (float v : y) norm += static_cast<double>(v) * v;
    norm = std::sqrt(norm);
    for (float v : y) {
      EXPECT_LE(levels.front(), v / norm + 1e-7);
      EXPECT_GE(levels.back(), v / norm - 1e-7);
    }
  }
}

TEST(AsqCodec, PerVectorLevelsBeatSharedLevels) {
  // Per vector the exact solver minimises the rounding variance over all level sets covering it, so
  // the expected squared error is below the shared levels' (which also clamp); sampled over 200 × 128
  // coordinates the relative noise of the MSE is ~1 %, the gap is far larger.
  const size_t d = 128, n = 200;
  const auto sample = random_unit_vectors(300, d, 31), x = random_unit_vectors(n, d, 32);
  for (const char* pair : {"ASQ2", "ASQ4"}) {
    auto shared = trained(pair, d, sample), own = make_codec(std::string(pair) + "v", d, CodecOptions{5});
    double mse[2] = {0, 0};
    int which = 0;
    for (auto* codec : {shared.get(), own.get()}) {
      std::vector<uint8_t> codes(n * codec->code_size());
      std::vector<float> dec(n * d);
      codec->encode(n, x.data(), codes.data());
      codec->decode(n, codes.data(), dec.data());
      for (size_t k = 0; k < n * d; ++k) mse[which] += std::pow(dec[k] - x[k], 2) / n;
      ++which;
    }
    EXPECT_LT(mse[1], 0.9 * mse[0]) << pair << " shared " << mse[0] << " per-vector " << mse[1];
  }
}

// Vectors whose rotated coordinates j < 64 have 10× the spread of the others, and queries that look
// almost only at j >= 64 (coordinates as seen through the codec's own rotation).
struct SkewedWorkload {
  std::vector<float> sample, x, train_q, test_q;
};

SkewedWorkload skewed_workload(const Codec& codec) {
  const size_t d = codec.dim();
  const auto& rotation = dynamic_cast<const RotatedCodec&>(codec).rotation();
  Rng rng(41);
  auto make = [&](size_t n, bool query) {
    std::vector<float> out(n * d), y(d);
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < d; ++j) {
        const double scale = query ? (j < d / 2 ? 0.05 : 1.0) : (j < d / 2 ? 1.0 : 0.1);
        y[j] = static_cast<float>(scale * rng.normal());
      }
      rotation.apply_transpose(y.data(), out.data() + i * d);
    }
    return out;
  };
  return {make(300, false), make(100, false), make(200, true), make(100, true)};
}

double workload_ip_mse(const Codec& codec, const SkewedWorkload& w) {
  const size_t d = codec.dim(), n = w.x.size() / d, nq = w.test_q.size() / d;
  std::vector<uint8_t> codes(n * codec.code_size());
  codec.encode(n, w.x.data(), codes.data());
  std::vector<float> est(n);
  double sum = 0;
  for (size_t q = 0; q < nq; ++q) {
    const float* qv = w.test_q.data() + q * d;
    codec.estimate_ip(*codec.prepare_query(qv), n, codes.data(), est.data());
    for (size_t i = 0; i < n; ++i) sum += std::pow(est[i] - dot(qv, w.x.data() + i * d, d), 2);
  }
  return sum / (n * nq);
}

TEST(AsqCodec, WorkloadWeightedBeatsMseOnSkewedWorkload) {
  // The weighted objective minimises the expected inner-product variance under the sample queries; the
  // unweighted one spends its levels on the wide coordinates the queries ignore. Same seed = same rotation.
  const size_t d = 128;
  for (const char* base : {"ASQ2", "ASQ2v", "ASQ3k"}) {
    const std::string plain = base, weighted = plain.substr(0, 4) + "w" + plain.substr(4);
    auto mse_codec = make_codec(plain, d, CodecOptions{9}), w_codec = make_codec(weighted, d, CodecOptions{9});
    const SkewedWorkload w = skewed_workload(*mse_codec);
    w_codec->set_query_workload(w.train_q.size() / d, d, w.train_q.data());
    for (auto* codec : {mse_codec.get(), w_codec.get()})
      if (!codec->is_trained()) codec->train(w.sample.size() / d, w.sample.data());
    const double e_mse = workload_ip_mse(*mse_codec, w), e_w = workload_ip_mse(*w_codec, w);
    EXPECT_LT(e_w, 0.5 * e_mse) << weighted << " " << e_w << " vs " << plain << " " << e_mse;
  }
}

TEST(AsqCodec, WorkloadBadInput) {
  const size_t d = 128;
  const auto q = random_unit_vectors(5, d, 51);
  auto weighted = make_codec("ASQ4w", d);
  EXPECT_FALSE(weighted->is_trained());
  EXPECT_THROW(weighted->train(5, q.data()), StateError);  // weighted flag without queries
  EXPECT_THROW(weighted->set_query_workload(5, d + 1, q.data()), InvalidArgument);
  EXPECT_THROW(weighted->set_query_workload(0, d, q.data()), InvalidArgument);
  std::vector<float> bad = q;
  bad[7] = std::nanf("");
  EXPECT_THROW(weighted->set_query_workload(5, d, bad.data()), InvalidArgument);
  std::vector<float> zeros(5 * d, 0.0f);
  EXPECT_THROW(weighted->set_query_workload(5, d, zeros.data()), InvalidArgument);
  weighted->set_query_workload(5, d, q.data());
  EXPECT_FALSE(weighted->is_trained());  // levels still to be trained
  weighted->train(5, q.data());
  EXPECT_TRUE(weighted->is_trained());
  // Per-vector weighted codec: encode needs the workload too.
  auto per_vector = make_codec("ASQ4wv", d);
  std::vector<uint8_t> code(per_vector->code_size());
  EXPECT_THROW(per_vector->encode(1, q.data(), code.data()), StateError);
  // Codecs without a weighted objective refuse a workload.
  for (const char* desc : {"ASQ4", "ASQ4v", "TQ4", "RaBitQ1"})
    EXPECT_THROW(make_codec(desc, d)->set_query_workload(5, d, q.data()), InvalidArgument) << desc;
  for (const char* desc : {"ASQ4mw", "ASQ4kv", "ASQ4x"}) EXPECT_FALSE(is_codec_descriptor(desc)) << desc;
}

}  // namespace
}  // namespace ipaq
