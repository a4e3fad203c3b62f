// Statistical checks of the codecs against the theory (fixed seeds; tolerances derived in comments).
// Random unit vectors at d ∈ {128, 784, 1024} and the shared real data (bge-m3-1024, sift5k).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "codec_test_data.h"
#include "lib/codecs/codec.h"
#include "lib/codecs/lloyd_max.h"

namespace ipaq {
namespace {

using test::dot;
using test::random_unit_vectors;

size_t padded(size_t d) { return std::bit_ceil(d); }

// Mean of ‖x − x̂‖² / ‖x‖² over the rows of x.
double mean_relative_mse(const Codec& codec, const std::vector<float>& x) {
  const size_t d = codec.dim(), n = x.size() / d;
  std::vector<uint8_t> codes(n * codec.code_size());
  std::vector<float> back(x.size());
  codec.encode(n, x.data(), codes.data());
  codec.decode(n, codes.data(), back.data());
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    double err = 0;
    for (size_t j = 0; j < d; ++j) err += std::pow(static_cast<double>(back[i * d + j]) - x[i * d + j], 2);
    sum += err / dot(&x[i * d], &x[i * d], d);
  }
  return sum / n;
}

// Theory MSE of TurboQuant_mse on unit vectors (Zandieh et al.): D_b = Lloyd–Max MSE of N(0,1).
constexpr double kTurboQuantMse[5] = {0, 0.3634, 0.1175, 0.03454, 0.009497};

// With the Hadamard rotation d is padded to D and decode keeps the first d coordinates of Π^T û. An
// error component that is uncorrelated with u is spread by the inverse rotation over all D coordinates,
// so only the fraction d/D of it is kept (exactly all of it when D = d).
double padding_factor(size_t d) { return static_cast<double>(d) / padded(d); }

// TurboQuant_mse is biased: û = (1 − D_b)u + noise with E‖noise‖² = D_b − D_b² (Lloyd–Max centroid
// condition: E[c·u] = E[c²] = 1 − D_b per unit of variance). The bias part lies along u, whose inverse
// rotation is x itself (zero in the padding), so it is kept entirely: E = D_b² + (D_b − D_b²)·d/D.
double turboquant_expected_mse(int b, size_t d) {
  const double db = kTurboQuantMse[b];
  return db * db + (db - db * db) * padding_factor(d);
}

class DimTest : public ::testing::TestWithParam<size_t> {};

TEST_P(DimTest, TurboQuantMseMatchesTheory) {
  const size_t d = GetParam();
  const auto x = random_unit_vectors(100, d, 1);
  for (int b = 1; b <= 4; ++b) {
    // 10 % tolerance (issue 3). Sampling error is far smaller: each vector's error averages D ≥ 128
    // coordinate errors (relative sd ≤ ~1.5/sqrt(128) per vector), over 100 vectors → < 2 %; the exact
    // Beta law at D = 128 moves the MSE by < 3 % from the Gaussian value.
    const double expected = turboquant_expected_mse(b, d);
    EXPECT_NEAR(mean_relative_mse(*make_codec("TQ" + std::to_string(b), d), x), expected, 0.10 * expected) << "b=" << b;
  }
}

TEST_P(DimTest, EdenUnbiasedVnmseMatchesTheory) {
  // Unbiased EDEN: vNMSE = D_b / (1 − D_b) (Vargaftik et al. 2022), D_b the Lloyd–Max N(0,1) MSE.
  const size_t d = GetParam();
  const auto x = random_unit_vectors(100, d, 2);
  for (int b : {1, 2, 3, 4}) {
    const double db = gaussian_quantization_mse(lloyd_max_gaussian(b));
    const double expected = db / (1 - db) * padding_factor(d);
    EXPECT_NEAR(mean_relative_mse(*make_codec("EDEN" + std::to_string(b), d), x), expected, 0.10 * expected) << "b=" << b;
  }
}

TEST_P(DimTest, RaBitQOneBitCosine) {
  // 1-bit RaBitQ: ⟨ō, o⟩ = Σ|u_i|/sqrt(D), E = sqrt(D)·E|u_1| → sqrt(2/π) ≈ 0.798 (issue: ≈ 0.80).
  // Per vector sd ≈ sqrt((1 − 2/π)/D) ≤ 0.053 at D = 128; mean of 200: ≤ 0.004 → 1 % tolerance.
  const size_t d = GetParam(), n = 200, D = padded(d);
  auto codec = make_codec("RaBitQ1", d);
  const auto x = random_unit_vectors(n, d, 3);
  std::vector<uint8_t> codes(n * codec->code_size());
  codec->encode(n, x.data(), codes.data());
  double mean = 0;
  for (size_t i = 0; i < n; ++i) {
    // Code layout (rotated_codec.h): ... [‖x‖][s], s = ‖x‖/⟨ĉ,u⟩ with ĉ ∈ {±1/2}^D, ‖ĉ‖ = sqrt(D)/2.
    float norm, scale;
    const uint8_t* code = codes.data() + (i + 1) * codec->code_size();
    std::memcpy(&norm, code - 8, 4);
    std::memcpy(&scale, code - 4, 4);
    mean += norm / (scale * std::sqrt(static_cast<double>(D)) / 2) / n;
  }
  EXPECT_NEAR(mean, 0.80, 0.01);
}

TEST_P(DimTest, BlockSphereBeatsEdenAtEqualBits) {
  const size_t d = GetParam();
  const auto x = random_unit_vectors(100, d, 4);
  const std::pair<const char*, const char*> pairs[] = {
      {"BSQ1x4b", "EDEN1b"}, {"BSQ1x8b", "EDEN1b"}, {"BSQ2x4b", "EDEN2b"}, {"BSQ2x2b", "EDEN2b"},
      {"BSQ4x2b", "EDEN4b"}, {"BSQ1x4", "EDEN1"},   {"BSQ2x4", "EDEN2"}};
  for (const auto& [bsq, eden] : pairs) {
    const double a = mean_relative_mse(*make_codec(bsq, d), x), b = mean_relative_mse(*make_codec(eden, d), x);
    EXPECT_LT(a, b) << bsq << " vs " << eden;
  }
}

// Fraction of (vector, query) pairs whose RaBitQ estimate lies within the reported bound.
double rabitq_bound_coverage(const std::string& desc, const std::vector<float>& x, const std::vector<float>& q,
                             size_t d) {
  auto codec = make_codec(desc, d);
  const size_t n = x.size() / d, nq = q.size() / d;
  std::vector<uint8_t> codes(n * codec->code_size());
  codec->encode(n, x.data(), codes.data());
  std::vector<float> est(n), bound(n);
  size_t inside = 0;
  for (size_t k = 0; k < nq; ++k) {
    auto qs = codec->prepare_query(&q[k * d]);
    codec->estimate_ip(*qs, n, codes.data(), est.data());
    EXPECT_TRUE(codec->ip_error_bound(*qs, n, codes.data(), bound.data()));
    for (size_t i = 0; i < n; ++i) inside += std::fabs(est[i] - dot(&q[k * d], &x[i * d], d)) <= bound[i];
  }
  return static_cast<double>(inside) / (n * nq);
}

TEST_P(DimTest, RaBitQBoundHolds) {
  // ε0 = 3 gives ≈ 99.7 % coverage under the Gaussian approximation (rabitq_codec.h); the issue asks
  // ≥ 99 %. 2000 pairs: sd of the coverage ≈ sqrt(0.003/2000) ≈ 0.0012, so 99 % is > 5 sd below 99.7 %.
  const size_t d = GetParam();
  const auto x = random_unit_vectors(100, d, 5), q = random_unit_vectors(20, d, 6);
  for (const char* desc : {"RaBitQ1", "RaBitQ2", "RaBitQ4", "RaBitQ4f"})
    EXPECT_GE(rabitq_bound_coverage(desc, x, q, d), 0.99) << desc;
}

INSTANTIATE_TEST_SUITE_P(Dims, DimTest, ::testing::Values(128, 784, 1024));

// Mean and standard error of (estimate − ⟨q, x⟩) over `seeds` codec seeds (= independent rotations).
struct ErrorStats {
  double mean, standard_error;
};
ErrorStats ip_error_over_seeds(const std::string& desc, const float* x, const float* q, size_t d, int seeds) {
  const double truth = dot(q, x, d);
  double sum = 0, sum_sq = 0;
  for (int s = 0; s < seeds; ++s) {
    auto codec = make_codec(desc, d, CodecOptions{static_cast<uint64_t>(1000 + s)});
    std::vector<uint8_t> code(codec->code_size());
    codec->encode(1, x, code.data());
    float est;
    codec->estimate_ip(*codec->prepare_query(q), 1, code.data(), &est);
    sum += est - truth;
    sum_sq += (est - truth) * (est - truth);
  }
  const double mean = sum / seeds;
  return {mean, std::sqrt((sum_sq / seeds - mean * mean) / (seeds - 1))};
}

// A query correlated with x (⟨q,x⟩ ≈ 0.7) so that a multiplicative bias is large compared to the noise.
std::vector<float> correlated_query(const float* x, size_t d) {
  auto noise = random_unit_vectors(1, d, 99);
  std::vector<float> q(d);
  for (size_t j = 0; j < d; ++j) q[j] = 0.7f * x[j] + 0.714f * noise[j];
  return q;
}

TEST_P(DimTest, UnbiasedCodecsHaveZeroMeanInnerProductError) {
  // Over 200 random rotations the mean error of an unbiased codec is ~N(0, SE²): |mean| < 4 SE fails
  // with probability 6e-5 per codec. The biased controls (TQ1, EDEN1b: E[est] ≈ (1 − D_1)⟨q,x⟩, a bias
  // of ≈ 0.25 here) must fail the same check, which shows the test has power.
  const size_t d = GetParam();
  const auto x = random_unit_vectors(1, d, 7);
  const auto q = correlated_query(x.data(), d);
  for (const char* desc : {"EDEN1", "EDEN2", "EDEN4", "RaBitQ1", "RaBitQ2", "RaBitQ4f", "TQP2", "TQP3", "TQP4", "TQP2h",
                           "BSQ1x4", "BSQ2x2"}) {
    // TQP's Gaussian QJL sketch is a dense D × D matrix drawn per seed (~20 ms at D = 1024): all bit
    // widths at d = 128, TQP4 only at the larger d (unbiased by theorem; the test guards the wiring).
    if (d > 128 && (std::string(desc) == "TQP2" || std::string(desc) == "TQP3")) continue;
    const ErrorStats e = ip_error_over_seeds(desc, x.data(), q.data(), d, 200);
    EXPECT_LT(std::fabs(e.mean), 4 * e.standard_error) << desc << " mean " << e.mean << " se " << e.standard_error;
  }
  for (const char* biased : {"TQ1", "EDEN1b"}) {
    const ErrorStats e = ip_error_over_seeds(biased, x.data(), q.data(), d, 200);
    EXPECT_GT(std::fabs(e.mean), 4 * e.standard_error) << biased;
  }
}

// ---- Shared real data ----

TEST(RealData, BgeM3TurboQuantMseAndRaBitQBound) {
  size_t d = 0, dq = 0;
  const auto x = test::read_shared_fvecs("bge-m3-1024/sentences.fvecs", 200, &d);
  const auto q = test::read_shared_fvecs("bge-m3-1024/paragraphs.fvecs", 10, &dq);
  ASSERT_EQ(d, 1024u);
  ASSERT_EQ(x.size(), 200u * d);
  // A random rotation makes any fixed vector's coordinates follow the sphere law, so the unit-vector
  // theory applies to real data too (same 10 % tolerance as above).
  for (int b = 1; b <= 4; ++b)
    EXPECT_NEAR(mean_relative_mse(*make_codec("TQ" + std::to_string(b), d), x), kTurboQuantMse[b], 0.1 * kTurboQuantMse[b]);
  EXPECT_GE(rabitq_bound_coverage("RaBitQ1", x, q, d), 0.99);
  EXPECT_GE(rabitq_bound_coverage("RaBitQ4", x, q, d), 0.99);
  // Unbiasedness on a real (sentence, paragraph) pair, as for random vectors.
  for (const char* desc : {"EDEN2", "TQP3", "RaBitQ1"}) {
    const ErrorStats e = ip_error_over_seeds(desc, x.data(), q.data(), d, 100);
    EXPECT_LT(std::fabs(e.mean), 4 * e.standard_error) << desc;
  }
}

TEST(RealData, Sift5kNonUnitVectors) {
  size_t d = 0, dq = 0;
  const auto x = test::read_shared_fvecs("sift5k/base.fvecs", 200, &d);
  const auto q = test::read_shared_fvecs("sift5k/queries.fvecs", 10, &dq);
  ASSERT_EQ(d, 128u);
  ASSERT_EQ(x.size(), 200u * d);
  // SIFT vectors have norms ~500: the codecs store ‖x‖ and quantize the direction, so the relative
  // MSE matches the unit-vector theory.
  for (int b = 1; b <= 4; ++b)
    EXPECT_NEAR(mean_relative_mse(*make_codec("TQ" + std::to_string(b), d), x), kTurboQuantMse[b], 0.1 * kTurboQuantMse[b]);
  EXPECT_GE(rabitq_bound_coverage("RaBitQ2", x, q, d), 0.99);
  const ErrorStats e = ip_error_over_seeds("TQP2", x.data(), q.data(), d, 200);
  EXPECT_LT(std::fabs(e.mean), 4 * e.standard_error);
}

TEST(RealData, Sift5kCenteringShrinksTheError) {
  // TurboQuant_mse's error scales with the squared norm of the coded vector, so with a center μ (the
  // mean of the train sample) the relative MSE becomes D_b · ‖x − μ‖²/‖x‖² per vector (10 % tolerance,
  // as above). SIFT has a large common offset, so this is a large gain.
  size_t d = 0;
  const auto x = test::read_shared_fvecs("sift5k/base.fvecs", 400, &d);
  ASSERT_EQ(x.size(), 400u * d);
  const size_t n = 400;
  std::vector<double> mean(d, 0.0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < d; ++j) mean[j] += x[i * d + j] / n;
  double ratio = 0;
  for (size_t i = 0; i < n; ++i) {
    double residual = 0;
    for (size_t j = 0; j < d; ++j) residual += std::pow(x[i * d + j] - mean[j], 2);
    ratio += residual / dot(&x[i * d], &x[i * d], d) / n;
  }
  ASSERT_LT(ratio, 0.9) << "SIFT is expected to have a common offset";
  for (int b : {1, 2, 4}) {
    auto codec = make_codec("TQ" + std::to_string(b) + "_center", d);
    codec->train(n, x.data());
    const double expected = kTurboQuantMse[b] * ratio;
    EXPECT_NEAR(mean_relative_mse(*codec, x), expected, 0.1 * expected) << "b=" << b;
  }
}

}  // namespace
}  // namespace ipaq
