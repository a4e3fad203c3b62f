#include "lib/scan/lut_quantizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "lib/core/error.h"
#include "lib/core/random.h"
#include "simd_levels.h"

namespace ipaq {
namespace {

// Every group sum over random codes: |exact − dequantized| ≤ error_bound(g) + float slack. The slack
// covers float rounding outside the quantization model: the entry residual (row − min)·inv is computed
// in float (≤ 2 ulp of the row range ≈ 2.4e-7 · range per entry), and the dequantization scale·S + bias
// (≤ 1 ulp of each of its two terms); 1e-5 · (Σ|entries| + |bias| + scale·S) dominates both.
void check_bound(int bits, size_t nsub, const std::vector<size_t>& groups, uint64_t seed) {
  SCOPED_TRACE(::testing::Message() << "bits=" << bits << " nsub=" << nsub);
  Rng rng(seed);
  const size_t width = size_t{1} << bits;
  std::vector<float> lut(nsub * width);
  for (size_t j = 0; j < nsub; ++j) {
    const double row_scale = 0.1 + 3.0 * rng.uniform();  // rows of different ranges
    for (size_t c = 0; c < width; ++c) lut[j * width + c] = static_cast<float>(row_scale * rng.normal() + 1.0);
  }
  const QuantizedLut q = quantize_lut(lut.data(), nsub, bits, groups);
  ASSERT_EQ(q.ngroups(), groups.size() - 1);
  for (int trial = 0; trial < 200; ++trial) {
    for (size_t g = 0; g < q.ngroups(); ++g) {
      double exact = 0.0, magnitude = 0.0;
      uint32_t integer_sum = 0;
      for (size_t j = groups[g]; j < groups[g + 1]; ++j) {
        const size_t c = rng.below(width);
        exact += lut[j * width + c];
        magnitude += std::fabs(lut[j * width + c]);
        integer_sum += q.table[j * width + c];
      }
      const double got = q.dequantize(g, integer_sum);
      const double slack = 1e-5 * (magnitude + std::fabs(q.bias[g]) + q.scale[g] * integer_sum);
      EXPECT_LE(std::fabs(got - exact), q.error_bound(g) + slack) << "group " << g;
    }
  }
  // error_bound() is the documented formula nsub_g · scale_g / 2.
  for (size_t g = 0; g < q.ngroups(); ++g) {
    const size_t rows = groups[g + 1] - groups[g];
    EXPECT_FLOAT_EQ(q.error_bound(g), rows * q.scale[g] / 2);
  }
}

TEST(LutQuantizer, GroupSumsWithinBound4Bit) { check_bound(4, 37, {0, 20, 37}, 1); }
TEST(LutQuantizer, GroupSumsWithinBound8Bit) { check_bound(8, 19, {0, 19}, 2); }
TEST(LutQuantizer, ManyRows) { check_bound(4, 1024, {0, 1024}, 3); }

// The SIMD quantization of 16-entry rows (lut_quantizer_kernels.h) equals the portable code exactly at
// every IPAQ_SIMD level: tables, scales, biases and row minima; rows of mixed ranges (some tiny), a
// constant group (scale 0) and an empty group.
TEST(LutQuantizer, EverySimdLevelEqualsScalar) {
  Rng rng(17);
  const size_t nsub = 203;
  const std::vector<size_t> groups = {0, 90, 90, 100, 203};
  std::vector<float> lut(nsub * 16);
  for (size_t j = 0; j < nsub; ++j) {
    const double row_scale = j % 13 == 0 ? 1e-4 : 0.1 + 5.0 * rng.uniform();
    for (size_t c = 0; c < 16; ++c) lut[j * 16 + c] = static_cast<float>(row_scale * rng.normal() - 0.3);
  }
  for (size_t j = 90; j < 100; ++j)
    for (size_t c = 0; c < 16; ++c) lut[j * 16 + c] = 2.5f;  // constant group: scale 0
  set_simd_level_for_testing(SimdLevel::kScalar);
  const QuantizedLut ref = quantize_lut(lut.data(), nsub, 4, groups);
  testing::for_each_simd_level([&](SimdLevel) {
    QuantizedLut q;  // reused buffers full of garbage: every entry must be written (constant group: 0)
    q.table.assign(nsub * 16, 0xCC);
    quantize_lut_into(lut.data(), nsub, 4, groups, q);
    ASSERT_EQ(q.table, ref.table);
    ASSERT_EQ(q.scale, ref.scale);
    ASSERT_EQ(q.bias, ref.bias);
    ASSERT_EQ(q.row_min_scratch, ref.row_min_scratch);
  });
}

TEST(LutQuantizer, TableSpansFullRangeAndRowMinimaAreZero) {
  Rng rng(5);
  std::vector<float> lut(6 * 16);
  for (auto& v : lut) v = static_cast<float>(rng.normal());
  const QuantizedLut q = quantize_lut(lut.data(), 6, 4, {0, 6});
  uint8_t max_entry = 0;
  for (size_t j = 0; j < 6; ++j) {
    uint8_t row_min = 255;
    for (size_t c = 0; c < 16; ++c) {
      row_min = std::min(row_min, q.table[j * 16 + c]);
      max_entry = std::max(max_entry, q.table[j * 16 + c]);
    }
    EXPECT_EQ(row_min, 0) << j;
  }
  EXPECT_EQ(max_entry, 255);  // the row with the largest range uses the whole uint8 range
}

TEST(LutQuantizer, ConstantRowsAreExact) {
  std::vector<float> lut(3 * 16);
  for (size_t j = 0; j < 3; ++j) {
    for (size_t c = 0; c < 16; ++c) lut[j * 16 + c] = 0.5f * static_cast<float>(j + 1);
  }
  const QuantizedLut q = quantize_lut(lut.data(), 3, 4, {0, 3});
  EXPECT_EQ(q.scale[0], 0.0f);
  EXPECT_EQ(q.dequantize(0, 0), 3.0f);
  EXPECT_EQ(q.error_bound(0), 0.0f);
}

TEST(LutQuantizer, DequantizeBatch) {
  std::vector<float> lut(4 * 16);
  for (size_t i = 0; i < lut.size(); ++i) lut[i] = static_cast<float>(i % 16);
  const QuantizedLut q = quantize_lut(lut.data(), 4, 4, {0, 1, 4});
  const uint32_t sums[4] = {1, 2, 3, 4};
  float out[4];
  q.dequantize(2, sums, out);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(out[i], q.dequantize(i % 2, sums[i]));
}

TEST(LutQuantizer, RejectsBadInput) {
  std::vector<float> lut(2 * 16, 1.0f);
  EXPECT_THROW(quantize_lut(lut.data(), 2, 5, {0, 2}), InvalidArgument);
  EXPECT_THROW(quantize_lut(lut.data(), 2, 4, {0, 3}), InvalidArgument);
  EXPECT_THROW(quantize_lut(lut.data(), 2, 4, {0, 2, 1, 2}), InvalidArgument);
  lut[7] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(quantize_lut(lut.data(), 2, 4, {0, 2}), InvalidArgument);
  // ±inf anywhere (also past the vectorized part of the finiteness check: 2 * 16 = 32 = 4 * 8 entries,
  // so use 3 rows for a tail) is rejected too.
  std::vector<float> three(3 * 16, 1.0f);
  for (size_t at : {size_t{0}, size_t{17}, size_t{47}}) {
    for (float bad : {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()}) {
      three.assign(3 * 16, 1.0f);
      three[at] = bad;
      EXPECT_THROW(quantize_lut(three.data(), 3, 4, {0, 3}), InvalidArgument) << at;
    }
  }
}

// Every table entry is the documented rounding, bit for bit, whichever code path produced it (the 16-entry
// rows have an SSE path, 256-entry rows the scalar loop): table = (uint8) clamp((x − row min) · (1 / scale)
// + 1/2, 0, 255) in float, i.e. round to nearest with ties up.
TEST(LutQuantizer, EntriesAreTheDocumentedRounding) {
  Rng rng(9);
  for (int bits : {4, 8}) {
    const size_t width = size_t{1} << bits, nsub = 21;
    std::vector<float> lut(nsub * width);
    for (auto& v : lut) v = static_cast<float>(3.0 * rng.normal());
    const std::vector<size_t> groups = {0, 8, 21};
    const QuantizedLut q = quantize_lut(lut.data(), nsub, bits, groups);
    for (size_t g = 0; g + 1 < groups.size(); ++g) {
      const float inv = 1.0f / q.scale[g];
      for (size_t j = groups[g]; j < groups[g + 1]; ++j) {
        const float* row = lut.data() + j * width;
        const float lo = *std::min_element(row, row + width);
        for (size_t c = 0; c < width; ++c) {
          const float level = std::clamp((row[c] - lo) * inv + 0.5f, 0.0f, 255.0f);
          ASSERT_EQ(q.table[j * width + c], static_cast<uint8_t>(level)) << "bits " << bits << " row " << j;
        }
      }
    }
  }
}

}  // namespace
}  // namespace ipaq
