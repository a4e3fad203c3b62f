// Encode fast paths against the straightforward encoder they replaced: the codes of TurboQuant_mse,
// EDEN and RaBitQ (the sign code's batched double sums, the vectorized nearest-level count, the
// whole-byte bit packing, the skipped per-vector hash) must equal, byte for byte, those of a reference
// written out plainly here — at every SIMD level (the rotation kernel is checked against the naive
// transform in tests/lib/rotation), for d not a power of two, with ties (small integer inputs give
// exact zeros in the rotated vector, i.e. sign ties), zero vectors and batches that are not a multiple
// of the quantize block.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "lib/codecs/codec.h"
#include "lib/codecs/lloyd_max.h"
#include "lib/codecs/rotated_codec.h"
#include "lib/core/error.h"
#include "lib/core/random.h"
#include "tests/lib/scan/simd_levels.h"

namespace ipaq {
namespace {

enum class Kind { kTq, kEdenUnbiased, kEdenLeastMse, kRaBitQ1 };

// The codes of one vector as the first implementation computed them (one vector at a time).
std::vector<uint8_t> reference_code(const RotatedCodec& codec, Kind kind, int bits, const float* x) {
  const size_t d = codec.dim(), D = codec.rotated_dim(), cs = codec.code_size();
  std::vector<uint8_t> code(cs, 0);
  std::vector<float> y(D);
  codec.rotation().apply(x, y.data());
  double norm_sq = 0;
  for (size_t j = 0; j < D; ++j) norm_sq += static_cast<double>(y[j]) * y[j];
  const float norm = static_cast<float>(std::sqrt(norm_sq));
  float scale = 0.0f;
  if (norm > 0) {
    for (float& v : y) v /= norm;
    std::vector<float> levels;
    if (kind == Kind::kRaBitQ1) {
      levels = {-0.5f, 0.5f};
    } else {
      const std::vector<double> l =
          kind == Kind::kTq ? lloyd_max_sphere_coordinate(bits, D) : lloyd_max_gaussian(bits);
      const double f = kind == Kind::kTq ? 1.0 : 1.0 / std::sqrt(static_cast<double>(D));
      for (double v : l) levels.push_back(static_cast<float>(v * f));
    }
    std::vector<float> c(D);
    double uc = 0;
    for (size_t j = 0; j < D; ++j) {
      uint32_t idx = 0;
      if (kind == Kind::kRaBitQ1) {
        idx = y[j] >= 0 ? 1 : 0;
      } else {  // nearest level, ties to the lower one: count the midpoints strictly below
        for (size_t l = 1; l < levels.size(); ++l) idx += y[j] > 0.5f * (levels[l - 1] + levels[l]);
      }
      c[j] = levels[idx];
      uc += static_cast<double>(y[j]) * levels[idx];
      for (int b = 0; b < bits; ++b)  // LSB-first, field j at bit j·bits
        if ((idx >> b) & 1) code[(j * bits + b) / 8] |= static_cast<uint8_t>(1u << ((j * bits + b) % 8));
    }
    switch (kind) {
      case Kind::kTq: scale = 1.0f; break;
      case Kind::kEdenUnbiased: scale = per_vector_scale(ScaleRule::kUnbiased, y.data(), c.data(), D); break;
      case Kind::kEdenLeastMse: scale = per_vector_scale(ScaleRule::kLeastMse, y.data(), c.data(), D); break;
      case Kind::kRaBitQ1: scale = uc > 0 ? static_cast<float>(1.0 / uc) : 0.0f; break;
    }
  }
  (void)d;
  const float stored_scale = scale * norm;
  std::memcpy(code.data() + cs - 8, &norm, 4);
  std::memcpy(code.data() + cs - 4, &stored_scale, 4);
  return code;
}

struct Case {
  const char* descriptor;
  Kind kind;
  int bits;
};

TEST(EncodeReference, FastEncodersEqualThePlainEncoderAtEverySimdLevel) {
  const Case cases[] = {{"TQ1", Kind::kTq, 1},           {"TQ2", Kind::kTq, 2},
                        {"TQ4", Kind::kTq, 4},           {"EDEN4", Kind::kEdenUnbiased, 4},
                        {"EDEN2b", Kind::kEdenLeastMse, 2}, {"RaBitQ1", Kind::kRaBitQ1, 1}};
  Rng rng(11);
  for (const Case& c : cases) {
    for (size_t d : {3, 8, 100, 128, 784}) {
      auto base = make_codec(c.descriptor, d, CodecOptions{5});
      const auto* codec = dynamic_cast<const RotatedCodec*>(base.get());
      ASSERT_NE(codec, nullptr);
      // 75 vectors (not a multiple of the 32-row block nor of the 8-row sign batch): Gaussian rows,
      // rows of small integers (exact zeros after the rotation at small d: sign ties) and zero rows.
      const size_t n = 75;
      std::vector<float> x(n * d);
      for (size_t i = 0; i < n; ++i)
        for (size_t j = 0; j < d; ++j)
          x[i * d + j] = i % 3 == 0   ? static_cast<float>(rng.normal())
                         : i % 3 == 1 ? static_cast<float>(static_cast<int>(rng.below(3)) - 1)
                                      : (i % 9 == 2 ? 0.0f : static_cast<float>(rng.below(2)));
      const size_t cs = codec->code_size();
      std::vector<uint8_t> want(n * cs);
      for (size_t i = 0; i < n; ++i) {
        const std::vector<uint8_t> r = reference_code(*codec, c.kind, c.bits, x.data() + i * d);
        std::memcpy(want.data() + i * cs, r.data(), cs);
      }
      ipaq::testing::for_each_simd_level([&](SimdLevel) {
        for (size_t batch : {n, size_t{1}}) {  // one call (OpenMP, blocks) and one vector per call
          std::vector<uint8_t> got(n * cs, 0xCD);
          for (size_t i = 0; i < n; i += batch) codec->encode(batch, x.data() + i * d, got.data() + i * cs);
          for (size_t i = 0; i < n; ++i)
            EXPECT_EQ(0, std::memcmp(got.data() + i * cs, want.data() + i * cs, cs))
                << c.descriptor << " d=" << d << " vector " << i << " batch " << batch;
        }
      });
    }
  }
}

}  // namespace
}  // namespace ipaq

namespace ipaq {
namespace {

// Non-finite inputs are found through the rotated norm (Hadamard) or checked up front (Haar): either way
// InvalidArgument, wherever the bad value sits in a batch; finite values that overflow inside the
// rotation are not mistaken for non-finite input.
TEST(EncodeReference, NonFiniteInputAnywhereInABatchIsRejected) {
  for (const char* desc : {"TQ4", "RaBitQ1", "EDEN2", "TQ2_haar", "TQP2"}) {
    if (!is_codec_descriptor(desc)) continue;
    for (size_t d : {3, 100, 128}) {
      auto codec = make_codec(desc, d, CodecOptions{2});
      if (!codec->is_trained()) continue;
      const size_t n = 70;
      Rng rng(d);
      std::vector<float> x(n * d);
      for (float& v : x) v = static_cast<float>(rng.normal());
      std::vector<uint8_t> codes(n * codec->code_size());
      for (float bad : {std::nanf(""), INFINITY, -INFINITY}) {
        for (size_t pos : {size_t{0}, 33 * d + d / 2, n * d - 1}) {
          std::vector<float> xb = x;
          xb[pos] = bad;
          EXPECT_THROW(codec->encode(n, xb.data(), codes.data()), InvalidArgument) << desc << " pos " << pos;
          EXPECT_THROW(codec->encode(1, xb.data() + pos / d * d, codes.data()), InvalidArgument) << desc;
        }
      }
      std::vector<float> huge(n * d);
      for (float& v : huge) v = rng.below(2) ? 3e38f : -3e38f;
      EXPECT_NO_THROW(codec->encode(n, huge.data(), codes.data())) << desc << " d=" << d;
    }
  }
}

}  // namespace
}  // namespace ipaq
