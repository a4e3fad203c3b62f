// Rotations: orthogonality (norms and inner products preserved), inverse, determinism, serialization,
// and the Walsh–Hadamard transform against its O(n²) definition.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <vector>

#include "lib/core/error.h"
#include "lib/core/random.h"
#include "lib/core/simd_level.h"
#include "lib/rotation/hadamard_rotation.h"
#include "lib/rotation/rotation.h"
#include "lib/rotation/walsh_hadamard.h"
#include "tests/lib/scan/simd_levels.h"

namespace ipaq {
namespace {

std::vector<float> gaussian_vector(size_t d, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(d);
  for (auto& x : v) x = static_cast<float>(rng.normal());
  return v;
}

double dot(const float* a, const float* b, size_t n) {
  double s = 0;
  for (size_t i = 0; i < n; ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

TEST(WalshHadamard, MatchesDefinition) {
  for (size_t n : {1, 2, 8, 64}) {
    std::vector<float> x = gaussian_vector(n, n);
    std::vector<float> fast = x;
    walsh_hadamard_transform(fast.data(), n);
    for (size_t i = 0; i < n; ++i) {
      double s = 0;  // H[i][j] = (-1)^popcount(i & j)
      for (size_t j = 0; j < n; ++j) s += (std::popcount(i & j) % 2 ? -1.0 : 1.0) * x[j];
      EXPECT_NEAR(fast[i], s, 1e-4 * std::sqrt(static_cast<double>(n))) << "n=" << n << " i=" << i;
    }
  }
}

struct RotationCase {
  RotationKind kind;
  size_t d;
};

class RotationTest : public ::testing::TestWithParam<RotationCase> {};

// Float tolerance: each output is a sum of D terms (dense) or log2(D)·rounds butterfly levels
// (Hadamard); relative error ~ sqrt(D)·2^-24 ≈ 2e-6 at D = 1024. 1e-5 relative leaves margin.
constexpr double kRelTol = 1e-5;

TEST_P(RotationTest, PreservesNormsAndInnerProductsAndInverts) {
  const auto [kind, d] = GetParam();
  auto rot = make_rotation(kind, d, 42);
  ASSERT_EQ(rot->dim(), d);
  const size_t D = rot->rotated_dim();
  if (kind == RotationKind::kHadamard) {
    EXPECT_EQ(D, std::bit_ceil(d));
  } else {
    EXPECT_EQ(D, d);
  }
  for (uint64_t trial = 0; trial < 5; ++trial) {
    auto x = gaussian_vector(d, 100 + trial);
    auto z = gaussian_vector(d, 200 + trial);
    std::vector<float> rx(D), rz(D), back(d);
    rot->apply(x.data(), rx.data());
    rot->apply(z.data(), rz.data());
    const double nx = dot(x.data(), x.data(), d);
    EXPECT_NEAR(dot(rx.data(), rx.data(), D), nx, kRelTol * nx);
    const double scale = std::sqrt(nx * dot(z.data(), z.data(), d));
    EXPECT_NEAR(dot(rx.data(), rz.data(), D), dot(x.data(), z.data(), d), kRelTol * scale);
    rot->apply_transpose(rx.data(), back.data());
    for (size_t i = 0; i < d; ++i) ASSERT_NEAR(back[i], x[i], 1e-5 * std::sqrt(nx)) << "i=" << i;
  }
}

// A rotation worth its name mixes: e_1 must not stay concentrated on one output coordinate. Only for
// D >= 64: with tiny D (e.g. d = 5 -> D = 8) repeated Hadamard rounds may re-concentrate e_1.
TEST(RotationMixing, SpreadsABasisVector) {
  for (const RotationCase c : {RotationCase{RotationKind::kHadamard, 128}, RotationCase{RotationKind::kHadamard, 784},
                               RotationCase{RotationKind::kHadamard, 1024}, RotationCase{RotationKind::kHaar, 128},
                               RotationCase{RotationKind::kHaar, 100}}) {
    auto rot = make_rotation(c.kind, c.d, 7);
    ASSERT_GE(rot->rotated_dim(), 64u);
    std::vector<float> e(c.d, 0.0f), y(rot->rotated_dim());
    e[0] = 1.0f;
    rot->apply(e.data(), y.data());
    float max_abs = 0;
    for (float v : y) max_abs = std::max(max_abs, std::fabs(v));
    // Hadamard: a random-sign mixture of D entries of size 1/sqrt(D); Haar: max of D coordinates ~
    // sqrt(2 ln D / D) < 0.5.
    EXPECT_LT(max_abs, 0.5f) << "d=" << c.d;
  }
}

TEST_P(RotationTest, DeterministicAndSerializable) {
  const auto [kind, d] = GetParam();
  auto a = make_rotation(kind, d, 99);
  auto b = make_rotation(kind, d, 99);
  auto c = make_rotation(kind, d, 100);
  auto x = gaussian_vector(d, 5);
  std::vector<float> ya(a->rotated_dim()), yb(ya.size()), yc(ya.size()), yr(ya.size());
  a->apply(x.data(), ya.data());
  b->apply(x.data(), yb.data());
  c->apply(x.data(), yc.data());
  EXPECT_EQ(ya, yb);
  EXPECT_NE(ya, yc);
  ByteWriter w;
  a->serialize(w);
  ByteReader r(w.str(), "rotation");
  auto restored = deserialize_rotation(r);
  r.expect_end();
  EXPECT_EQ(restored->kind(), kind);
  EXPECT_EQ(restored->dim(), d);
  restored->apply(x.data(), yr.data());
  EXPECT_EQ(ya, yr);
}

INSTANTIATE_TEST_SUITE_P(Kinds, RotationTest,
                         ::testing::Values(RotationCase{RotationKind::kHadamard, 128},
                                           RotationCase{RotationKind::kHadamard, 784},
                                           RotationCase{RotationKind::kHadamard, 1024},
                                           RotationCase{RotationKind::kHadamard, 5},
                                           RotationCase{RotationKind::kHaar, 128},
                                           RotationCase{RotationKind::kHaar, 100}),
                         [](const auto& info) {
                           return std::string(rotation_kind_name(info.param.kind)) + "_d" +
                                  std::to_string(info.param.d);
                         });

TEST(Rotation, BadInput) {
  EXPECT_THROW(make_rotation(RotationKind::kHadamard, 0, 1), InvalidArgument);
  EXPECT_THROW(make_rotation(RotationKind::kHaar, 0, 1), InvalidArgument);
  EXPECT_THROW(HadamardRotation(16, 1, 0), InvalidArgument);
  EXPECT_THROW(parse_rotation_kind("dct"), InvalidArgument);
  EXPECT_EQ(parse_rotation_kind("haar"), RotationKind::kHaar);
}

TEST(Rotation, ForeignOrTruncatedBytes) {
  ByteWriter w;
  make_rotation(RotationKind::kHadamard, 64, 3)->serialize(w);
  std::string bytes = w.str();
  {
    std::string foreign = bytes;
    foreign[0] = 'X';
    ByteReader r(foreign, "rotation");
    EXPECT_THROW(deserialize_rotation(r), FormatError);
  }
  {
    ByteReader r(std::string_view(bytes).substr(0, bytes.size() - 2), "rotation");
    EXPECT_THROW(deserialize_rotation(r), FormatError);
  }
  {
    std::string bad_kind = bytes;
    bad_kind[8] = 9;  // kind byte follows tag (4) + version (4)
    ByteReader r(bad_kind, "rotation");
    EXPECT_THROW(deserialize_rotation(r), FormatError);
  }
}

}  // namespace
}  // namespace ipaq

namespace ipaq {
namespace {

// The randomized Hadamard rotation as it was first written: pad, then per round a sign flip and the
// textbook FWHT (one pass per stage, u + v / u − v), then the scale. Every kernel must equal it bit for bit.
std::vector<float> naive_randomized_hadamard(const std::vector<float>& x, size_t n, const std::vector<float>& signs,
                                             int rounds, float scale) {
  std::vector<float> y(n, 0.0f);
  for (size_t i = 0; i < x.size(); ++i) y[i] = x[i];
  for (int k = 0; k < rounds; ++k) {
    for (size_t i = 0; i < n; ++i) y[i] *= signs[k * n + i];
    for (size_t h = 1; h < n; h *= 2)
      for (size_t start = 0; start < n; start += 2 * h)
        for (size_t i = start; i < start + h; ++i) {
          const float u = y[i], v = y[i + h];
          y[i] = u + v;
          y[i + h] = u - v;
        }
  }
  for (float& v : y) v *= scale;
  return y;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(RandomizedHadamard, EveryKernelEqualsTheNaiveTransformBitForBit) {
  Rng rng(2024);
  for (size_t n : {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048}) {
    for (size_t d : {n, n / 2 + 1, n - n / 4}) {
      if (d == 0 || d > n) continue;
      for (int rounds : {1, 2, 3}) {
        std::vector<float> signs(rounds * n);
        for (float& s : signs) s = rng.sign();
        const float scale = static_cast<float>(std::pow(static_cast<double>(n), -0.5 * rounds));
        for (int kind = 0; kind < 3; ++kind) {
          // Gaussian values; small integers (many exact ties and zeros, incl. −0 after sign flips); and
          // values of mixed magnitude (rounding in every addition).
          std::vector<float> x(d);
          for (float& v : x)
            v = kind == 0   ? static_cast<float>(rng.normal())
                : kind == 1 ? static_cast<float>(static_cast<int>(rng.below(3)) - 1)
                            : static_cast<float>(rng.normal() * std::ldexp(1.0, static_cast<int>(rng.below(40)) - 20));
          const std::vector<float> want = naive_randomized_hadamard(x, n, signs, rounds, scale);
          std::vector<float> got(n, -7.0f);
          detail::randomized_hadamard_portable(x.data(), d, n, signs.data(), rounds, scale, got.data());
          EXPECT_TRUE(same_bits(got, want)) << "portable n=" << n << " d=" << d << " kind=" << kind;
          if (n >= 8 && cpu_simd_level() >= SimdLevel::kAvx2) {
            std::fill(got.begin(), got.end(), -7.0f);
            detail::randomized_hadamard_avx2(x.data(), d, n, signs.data(), rounds, scale, got.data());
            EXPECT_TRUE(same_bits(got, want)) << "avx2 n=" << n << " d=" << d << " kind=" << kind;
          }
          if (n >= 8 && cpu_simd_level() >= SimdLevel::kAvx512) {
            std::fill(got.begin(), got.end(), -7.0f);
            detail::randomized_hadamard_avx512(x.data(), d, n, signs.data(), rounds, scale, got.data());
            EXPECT_TRUE(same_bits(got, want)) << "avx512 n=" << n << " d=" << d << " kind=" << kind;
          }
        }
      }
    }
  }
}

TEST(RandomizedHadamard, RotationIsTheSameAtEverySimdLevel) {
  for (size_t d : {5, 128, 784, 1000}) {
    HadamardRotation rot(d, 9, 3);
    const std::vector<float> x = gaussian_vector(d, d + 1);
    std::vector<float> first;
    ipaq::testing::for_each_simd_level([&](SimdLevel) {
      std::vector<float> y(rot.rotated_dim());
      rot.apply(x.data(), y.data());
      if (first.empty()) first = y;
      EXPECT_TRUE(same_bits(y, first)) << "d=" << d;
    });
  }
}

}  // namespace
}  // namespace ipaq
