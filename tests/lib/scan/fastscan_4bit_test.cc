#include "lib/scan/fastscan_4bit.h"

#include <gtest/gtest.h>

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

struct Case {
  size_t n;
  std::vector<size_t> groups;  // last = nsub
};

// Every level equals the reference exactly. Cases: n not a multiple of 32, odd nsub, odd group sizes,
// an empty group, groups longer than one uint16 run (AVX2: 128 pairs, AVX-512: 256 pairs), and codes
// long enough (> 128 pairs) with enough blocks (AVX2 ≥ 4, AVX-512 ≥ 8, plus leftovers) for the
// kernels' several-blocks-per-step path.
void check_case(const Case& c, uint64_t seed, bool maximal = false) {
  const size_t nsub = c.groups.back();
  SCOPED_TRACE(::testing::Message() << "n=" << c.n << " nsub=" << nsub << " groups=" << c.groups.size() - 1);
  Rng rng(seed);
  const FastScanLayout layout(nsub, c.groups);
  const auto lut = self_quantizing_lut(nsub, 16, rng, maximal);
  const QuantizedLut q = quantize_lut(lut.data(), nsub, 4, c.groups);
  for (size_t i = 0; i < lut.size(); ++i) ASSERT_EQ(q.table[i], lut[i]) << "table is not the identity";
  std::vector<uint8_t> sub(c.n * nsub);
  // Maximal: codes 1..15 always look up 255.
  for (auto& s : sub) s = static_cast<uint8_t>(maximal ? 1 + rng.below(15) : rng.below(16));
  std::vector<uint8_t> packed(layout.packed_bytes(c.n));
  pack_4bit_codes(layout, c.n, sub.data(), packed.data());
  // A reused FastScanLut full of garbage (a scorer keeps one across queries): make_fastscan_lut_into
  // overwrites every row, padding rows of odd groups included.
  FastScanLut fl;
  fl.lo_tables.assign(layout.npairs() * 32, 0xA5);
  fl.hi_tables.assign(layout.npairs() * 32, 0x5A);
  make_fastscan_lut_into(layout, q, fl);
  const FastScanLut fresh = make_fastscan_lut(layout, q);
  EXPECT_EQ(fl.lo_tables, fresh.lo_tables);
  EXPECT_EQ(fl.hi_tables, fresh.hi_tables);
  const auto expected = reference_group_sums(q, c.n, sub);
  for_each_simd_level([&](SimdLevel) {
    // Canary after the output: the kernels must write exactly n * ngroups sums.
    std::vector<uint32_t> got(c.n * layout.ngroups() + 1, 0xDEADBEEF);
    scan_4bit(layout, fl, c.n, packed.data(), got.data());
    EXPECT_EQ(got.back(), 0xDEADBEEFu);
    got.pop_back();
    EXPECT_EQ(got, expected);
  });
}

TEST(FastScan4bit, EqualsReferenceAtEveryLevel) {
  const std::vector<Case> cases = {
      {1, {0, 1}},        {31, {0, 3}},          {33, {0, 7}},          {64, {0, 16}},
      {100, {0, 5, 5, 12}}, {45, {0, 2, 9, 64}}, {70, {0, 257}},        {37, {0, 513, 600}},
      {5, {0, 3, 1027}},  {167, {0, 3, 600}},   {290, {0, 8}},         {300, {0, 5, 300}},
  };
  uint64_t seed = 11;
  for (const Case& c : cases) check_case(c, seed++);
}

TEST(FastScan4bit, NoUint16OverflowOnMaximalTables) {
  // Every looked-up entry is 255: sums reach 255 · nsub, far beyond uint16 for long groups.
  check_case({40, {0, 1100}}, 3, /*maximal=*/true);
  check_case({300, {0, 520}}, 5, /*maximal=*/true);
  check_case({33, {0, 513, 1030}}, 4, /*maximal=*/true);
}

TEST(FastScan4bit, ScansASubRangeOfBlocks) {
  const size_t n = 100, nsub = 10;
  Rng rng(21);
  const FastScanLayout layout(nsub);
  const auto lut = self_quantizing_lut(nsub, 16, rng, false);
  const QuantizedLut q = quantize_lut(lut.data(), nsub, 4, {0, nsub});
  std::vector<uint8_t> sub(n * nsub);
  for (auto& s : sub) s = static_cast<uint8_t>(rng.below(16));
  std::vector<uint8_t> packed(layout.packed_bytes(n));
  pack_4bit_codes(layout, n, sub.data(), packed.data());
  const auto expected = reference_group_sums(q, n, sub);
  const FastScanLut fl = make_fastscan_lut(layout, q);
  for_each_simd_level([&](SimdLevel) {
    // Vectors [64, 100) = blocks 2 and 3.
    std::vector<uint32_t> got(36);
    scan_4bit(layout, fl, 36, packed.data() + 2 * layout.block_bytes(), got.data());
    EXPECT_EQ(got, std::vector<uint32_t>(expected.begin() + 64, expected.end()));
  });
}

TEST(FastScan4bit, RejectsMismatchedLut) {
  Rng rng(1);
  const auto lut = self_quantizing_lut(6, 16, rng, false);
  const QuantizedLut q4 = quantize_lut(lut.data(), 6, 4, {0, 6});
  EXPECT_THROW(make_fastscan_lut(FastScanLayout(5), q4), InvalidArgument);
  EXPECT_THROW(make_fastscan_lut(FastScanLayout(6, {0, 3, 6}), q4), InvalidArgument);
  const FastScanLut fl = make_fastscan_lut(FastScanLayout(6), q4);
  std::vector<uint8_t> packed(FastScanLayout(8).packed_bytes(1));
  uint32_t sum = 0;
  EXPECT_THROW(scan_4bit(FastScanLayout(8), fl, 1, packed.data(), &sum), InvalidArgument);
}

}  // namespace
}  // namespace ipaq
