#include "lib/scan/fastscan_4bit.h"

#include <gtest/gtest.h>

#include <vector>

#include "lib/core/error.h"
#include "lib/core/random.h"
#include "tests/lib/scan/simd_levels.h"

namespace ipaq {
namespace {

using testing::for_each_simd_level;

// Integer-valued float LUT in [0, 255] where every row contains both 0 and 255: quantize_lut then
// maps it to itself (min 0, scale 1), so tables are exactly these integers. With `maximal`, entry 0 of
// each row is 0 and all others 255.
std::vector<float> integer_lut(size_t nsub, Rng& rng, bool maximal = false) {
  std::vector<float> lut(nsub * 16);
  for (size_t j = 0; j < nsub; ++j) {
    for (size_t c = 0; c < 16; ++c) lut[j * 16 + c] = maximal ? 255.0f : static_cast<float>(rng.below(256));
    const size_t zero_at = maximal ? 0 : rng.below(16);
    lut[j * 16 + zero_at] = 0.0f;
    if (!maximal) lut[j * 16 + (zero_at + 1 + rng.below(15)) % 16] = 255.0f;  // a different entry
  }
  return lut;
}

// The obvious reference: Σ over each group of table[s][sub-code s], from the unpacked sub-codes.
std::vector<uint32_t> reference_sums(const QuantizedLut& q, size_t n, const std::vector<uint8_t>& sub) {
  std::vector<uint32_t> sums(n * q.ngroups(), 0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t g = 0; g < q.ngroups(); ++g) {
      for (size_t s = q.group_begin[g]; s < q.group_begin[g + 1]; ++s) {
        sums[i * q.ngroups() + g] += q.table[s * 16 + sub[i * q.nsub + s]];
      }
    }
  }
  return sums;
}

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
  const auto lut = integer_lut(nsub, rng, maximal);
  const QuantizedLut q = quantize_lut(lut.data(), nsub, 4, c.groups);
  for (size_t i = 0; i < lut.size(); ++i) ASSERT_EQ(q.table[i], lut[i]) << "table is not the identity";
  std::vector<uint8_t> sub(c.n * nsub);
  // Maximal: codes 1..15 always look up 255.
  for (auto& s : sub) s = static_cast<uint8_t>(maximal ? 1 + rng.below(15) : rng.below(16));
  std::vector<uint8_t> packed(layout.packed_bytes(c.n));
  pack_4bit_codes(layout, c.n, sub.data(), packed.data());
  const FastScanLut fl = make_fastscan_lut(layout, q);
  const auto expected = reference_sums(q, c.n, sub);
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
  const auto lut = integer_lut(nsub, rng);
  const QuantizedLut q = quantize_lut(lut.data(), nsub, 4, {0, nsub});
  std::vector<uint8_t> sub(n * nsub);
  for (auto& s : sub) s = static_cast<uint8_t>(rng.below(16));
  std::vector<uint8_t> packed(layout.packed_bytes(n));
  pack_4bit_codes(layout, n, sub.data(), packed.data());
  const auto expected = reference_sums(q, n, sub);
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
  const auto lut = integer_lut(6, rng);
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
