#include "lib/scan/fastscan_8bit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <vector>

#include "lib/core/error.h"
#include "lib/core/random.h"
#include "tests/lib/scan/lut_test_data.h"
#include "tests/lib/scan/simd_levels.h"

namespace ipaq {
namespace {

using testing::for_each_simd_level;
using testing::reference_group_sums;
using testing::self_quantizing_lut;

// Every level equals the reference exactly: n not a multiple of 64, odd group sizes, an empty group,
// groups longer than one AVX-512 uint16 run (256 sub-codes). `offset` shifts the packed array off
// 64-byte alignment (the kernels must not assume it).
void check_case(size_t n, const std::vector<size_t>& groups, uint64_t seed, bool maximal, size_t offset = 0) {
  const size_t nsub = groups.back();
  SCOPED_TRACE(::testing::Message() << "n=" << n << " nsub=" << nsub << " offset=" << offset);
  Rng rng(seed);
  const FastScan8Layout layout(nsub, groups);
  const auto lut = self_quantizing_lut(nsub, 256, rng, maximal);
  const QuantizedLut q = quantize_lut(lut.data(), nsub, 8, groups);
  for (size_t i = 0; i < lut.size(); ++i) ASSERT_EQ(q.table[i], lut[i]) << "table is not the identity";
  std::vector<uint8_t> sub(n * nsub);
  for (auto& s : sub) s = static_cast<uint8_t>(maximal ? 1 + rng.below(255) : rng.below(256));
  std::vector<uint8_t> storage(layout.packed_bytes(n) + offset);
  uint8_t* packed = storage.data() + offset;
  pack_8bit_codes(layout, n, sub.data(), packed);
  std::vector<uint8_t> back(n * nsub);
  unpack_8bit_codes(layout, n, packed, back.data());
  ASSERT_EQ(back, sub);
  if (n > 2) {  // a range that starts and ends inside blocks: the same bytes as the full unpack
    const size_t first = n / 3, m = n - first - 1;
    std::vector<uint8_t> part(m * nsub);
    unpack_8bit_codes_at(layout, first, m, packed, part.data());
    ASSERT_TRUE(std::equal(part.begin(), part.end(), sub.begin() + static_cast<std::ptrdiff_t>(first * nsub)));
  }
  const FastScan8Lut fl = make_fastscan8_lut(layout, q);
  const auto expected = reference_group_sums(q, n, sub);
  for_each_simd_level([&](SimdLevel) {
    std::vector<uint32_t> got(n * layout.ngroups() + 1, 0xDEADBEEF);
    scan_8bit_quantized(layout, fl, n, packed, got.data());
    EXPECT_EQ(got.back(), 0xDEADBEEFu);  // nothing written past n * ngroups
    got.pop_back();
    EXPECT_EQ(got, expected);
  });
}

TEST(FastScan8bit, EqualsReferenceAtEveryLevel) {
  check_case(1, {0, 1}, 1, false);
  check_case(63, {0, 3}, 2, false);
  check_case(65, {0, 7, 7, 20}, 3, false, /*offset=*/5);
  check_case(130, {0, 64}, 4, false);
  check_case(70, {0, 300}, 5, false);
}

TEST(FastScan8bit, NoUint16OverflowOnMaximalTables) {
  check_case(100, {0, 600}, 6, true);
  check_case(64, {0, 257, 700}, 7, true);
}

TEST(FastScan8bit, PackOneAtATimeAndBitLayout) {
  const FastScan8Layout layout(3);
  std::vector<uint8_t> sub(70 * 3);
  for (size_t i = 0; i < sub.size(); ++i) sub[i] = static_cast<uint8_t>(i * 7);
  std::vector<uint8_t> batch(layout.packed_bytes(70)), one(layout.packed_bytes(70), 0);
  pack_8bit_codes(layout, 70, sub.data(), batch.data());
  for (size_t i = 0; i < 70; ++i) pack_8bit_code_at(layout, i, sub.data() + 3 * i, one.data());
  EXPECT_EQ(one, batch);
  // Vector 66 = block 1, lane 2; its sub-code 1 sits at block_bytes + 64 · 1 + 2.
  EXPECT_EQ(batch[layout.block_bytes() + 64 + 2], sub[66 * 3 + 1]);
}

TEST(FastScan8bit, RejectsMismatchedLut) {
  std::vector<float> lut(4 * 256, 1.0f);
  lut[0] = 0.0f;
  const QuantizedLut q8 = quantize_lut(lut.data(), 4, 8, {0, 4});
  EXPECT_THROW(make_fastscan8_lut(FastScan8Layout(3), q8), InvalidArgument);
  const QuantizedLut q4 = quantize_lut(lut.data(), 4 * 16, 4, {0, 64});
  EXPECT_THROW(make_fastscan8_lut(FastScan8Layout(64), q4), InvalidArgument);
  const FastScan8Lut fl = make_fastscan8_lut(FastScan8Layout(4), q8);
  std::vector<uint8_t> packed(FastScan8Layout(4, {0, 2, 4}).packed_bytes(1));
  uint32_t sums[2];
  EXPECT_THROW(scan_8bit_quantized(FastScan8Layout(4, {0, 2, 4}), fl, 1, packed.data(), sums), InvalidArgument);
}

}  // namespace
}  // namespace ipaq
