#include "lib/scan/fastscan_layout.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "lib/core/error.h"
#include "lib/core/random.h"
#include "tests/lib/scan/simd_levels.h"

namespace ipaq {
namespace {

std::vector<uint8_t> random_sub_codes(size_t n, size_t nsub, uint64_t seed) {
  Rng rng(seed);
  std::vector<uint8_t> sub(n * nsub);
  for (auto& s : sub) s = static_cast<uint8_t>(rng.below(16));
  return sub;
}

TEST(FastScanLayout, PaddsEachGroupToEvenSubCodes) {
  const FastScanLayout layout(8, {0, 3, 3, 8});  // groups of 3, 0 and 5 sub-codes
  EXPECT_EQ(layout.pair_begin(), (std::vector<size_t>{0, 2, 2, 5}));
  EXPECT_EQ(layout.npairs(), 5u);
  EXPECT_EQ(layout.padded_sub(2), 2u);
  EXPECT_EQ(layout.padded_sub(3), 4u);  // first sub-code of the third group starts pair 2
  EXPECT_EQ(layout.block_bytes(), 5u * 32);
  EXPECT_EQ(layout.packed_bytes(0), 0u);
  EXPECT_EQ(layout.packed_bytes(33), 2u * 5 * 32);
}

TEST(FastScanLayout, BitLayoutOfOneBlock) {
  // Vector i has sub-codes (i % 16, 15 - i % 16): byte i of pair 0 must be lo | hi << 4.
  const FastScanLayout layout(2);
  std::vector<uint8_t> sub(2 * 32);
  for (size_t i = 0; i < 32; ++i) {
    sub[2 * i] = i % 16;
    sub[2 * i + 1] = 15 - i % 16;
  }
  std::vector<uint8_t> packed(layout.packed_bytes(32));
  pack_4bit_codes(layout, 32, sub.data(), packed.data());
  for (size_t i = 0; i < 32; ++i) EXPECT_EQ(packed[i], (i % 16) | ((15 - i % 16) << 4)) << i;
}

TEST(FastScanLayout, PackUnpackRoundTrip) {
  for (size_t nsub : {1, 3, 7, 16, 65}) {
    for (size_t n : {1, 31, 32, 33, 100}) {
      const std::vector<size_t> groups = nsub > 4 ? std::vector<size_t>{0, 3, nsub} : std::vector<size_t>{0, nsub};
      const FastScanLayout layout(nsub, groups);
      const auto sub = random_sub_codes(n, nsub, 7 + n * 131 + nsub);
      std::vector<uint8_t> packed(layout.packed_bytes(n), 0xAB);
      pack_4bit_codes(layout, n, sub.data(), packed.data());
      std::vector<uint8_t> back(n * nsub);
      unpack_4bit_codes(layout, n, packed.data(), back.data());
      EXPECT_EQ(back, sub) << "n=" << n << " nsub=" << nsub;
      // Padding vectors are zero.
      for (size_t i = n; i < FastScanLayout::nblocks(n) * 32; ++i) {
        for (size_t p = 0; p < layout.npairs(); ++p) {
          EXPECT_EQ(packed[(i / 32) * layout.block_bytes() + p * 32 + i % 32], 0) << i;
        }
      }
    }
  }
}

// One vector at a time, or appended in arbitrary chunks (partial head blocks, whole blocks, a partial
// tail), gives the same array as packing everything at once.
TEST(FastScanLayout, PackOneAtATimeOrInChunksEqualsBatch) {
  const size_t n = 101, nsub = 9;
  const FastScanLayout layout(nsub, {0, 4, 9});
  const auto sub = random_sub_codes(n, nsub, 99);
  std::vector<uint8_t> batch(layout.packed_bytes(n));
  pack_4bit_codes(layout, n, sub.data(), batch.data());
  std::vector<uint8_t> one(layout.packed_bytes(n), 0);
  for (size_t i = 0; i < n; ++i) pack_4bit_code_at(layout, i, sub.data() + i * nsub, one.data());
  EXPECT_EQ(one, batch);
  for (size_t chunk : {1, 5, 31, 32, 33, 70}) {
    std::vector<uint8_t> appended(layout.packed_bytes(n), 0);
    for (size_t first = 0; first < n; first += chunk) {
      const size_t m = std::min(chunk, n - first);
      pack_4bit_codes_at(layout, first, m, sub.data() + first * nsub, appended.data());
    }
    EXPECT_EQ(appended, batch) << "chunk " << chunk;
  }
  auto bad = sub;
  bad[40 * nsub + 3] = 16;  // inside a whole block
  EXPECT_THROW(pack_4bit_codes_at(layout, 0, n, bad.data(), batch.data()), InvalidArgument);
}

// Every SIMD level's pack kernel writes the same bytes as the scalar reference and as the documented
// layout computed nibble by nibble: one and several groups (odd, even, empty, longer than one 32-pair
// SIMD step), nsub 1 to 261 (pair counts around multiples of 16), appends starting at non-aligned
// `first` into an array whose bytes are all pre-set (earlier vectors must survive, free lanes of the
// last block must be zeroed), and partial last blocks.
TEST(FastScanLayout, PackKernelsEqualScalarAndDocumentedLayoutAtEverySimdLevel) {
  struct Case {
    size_t nsub;
    std::vector<size_t> group_begin;
  };
  const std::vector<Case> cases = {
      {1, {0, 1}},          {2, {0, 2}},           {3, {0, 3}},          {31, {0, 31}},
      {32, {0, 32}},        {33, {0, 33}},         {64, {0, 64}},        {65, {0, 65}},
      {196, {0, 196}},      {9, {0, 4, 9}},        {8, {0, 3, 3, 8}},    {130, {0, 1, 66, 67, 130}},
      {261, {0, 130, 261}}, {100, {0, 0, 100}},
  };
  uint64_t seed = 1;
  for (const Case& c : cases) {
    const FastScanLayout layout(c.nsub, c.group_begin);
    for (const auto& [first, n] : std::vector<std::pair<size_t, size_t>>{
             {0, 32}, {0, 1}, {0, 97}, {5, 27}, {5, 28}, {5, 100}, {31, 2}, {32, 64}, {40, 57}}) {
      SCOPED_TRACE(::testing::Message() << "nsub " << c.nsub << " groups " << layout.ngroups() << " first "
                                        << first << " n " << n);
      const auto sub = random_sub_codes(n, c.nsub, ++seed);
      const size_t bytes = layout.packed_bytes(first + n) + layout.block_bytes();  // one spare block
      std::vector<uint8_t> before(bytes);
      Rng rng(++seed);
      for (auto& b : before) b = static_cast<uint8_t>(rng.below(256));
      // The documented layout: vectors < first keep their bytes, the appended ones are written, the
      // free lanes of the last written block are 0, every other byte (the spare block) is untouched.
      std::vector<uint8_t> expected = before;
      const size_t end = first + n;
      const size_t whole_from = (first + 31) / 32 * 32;  // vectors written by the whole-block path
      for (size_t i = std::max(end, whole_from); i < FastScanLayout::nblocks(end) * 32; ++i) {
        for (size_t p = 0; p < layout.npairs(); ++p) expected[(i / 32) * layout.block_bytes() + p * 32 + i % 32] = 0;
      }
      for (size_t i = first; i < end; ++i) {
        for (size_t s = 0; s < c.nsub; ++s) {
          const size_t padded = layout.padded_sub(s);
          uint8_t& byte = expected[(i / 32) * layout.block_bytes() + (padded / 2) * 32 + i % 32];
          const int shift = padded % 2 == 0 ? 0 : 4;
          byte = static_cast<uint8_t>((byte & ~(0x0F << shift)) | sub[(i - first) * c.nsub + s] << shift);
        }
        // Padding nibbles of a group with an odd count: 0 in whole-block writes.
        if (i >= whole_from) {
          for (size_t g = 0; g < layout.ngroups(); ++g) {
            const size_t rows = c.group_begin[g + 1] - c.group_begin[g];
            if (rows % 2 != 0) {
              expected[(i / 32) * layout.block_bytes() + (layout.pair_begin()[g + 1] - 1) * 32 + i % 32] &= 0x0F;
            }
          }
        }
      }
      ipaq::testing::for_each_simd_level([&](SimdLevel) {
        std::vector<uint8_t> packed = before;
        pack_4bit_codes_at(layout, first, n, sub.data(), packed.data());
        EXPECT_EQ(packed, expected);
      });
    }
  }
}

// A sub-code ≥ 16 anywhere in a block (a SIMD step of the AVX2 kernel, its scalar tail, the lone last
// sub-code of an odd group, a partial last block) is rejected at every SIMD level.
TEST(FastScanLayout, PackKernelsRejectBadSubCodesAtEverySimdLevel) {
  const size_t nsub = 197;  // groups of 130 (65 pairs: two 32-pair steps + 1) and 67 (odd)
  const FastScanLayout layout(nsub, {0, 130, 197});
  const size_t n = 40;
  const auto sub = random_sub_codes(n, nsub, 5);
  ipaq::testing::for_each_simd_level([&](SimdLevel) {
    for (size_t pos : {size_t{3}, size_t{63}, size_t{128}, size_t{129}, size_t{140}, size_t{196}}) {
      for (size_t vec : {size_t{0}, size_t{31}, size_t{39}}) {
        for (uint8_t value : {uint8_t{16}, uint8_t{0x80}, uint8_t{0xFF}}) {
          auto bad = sub;
          bad[vec * nsub + pos] = value;
          std::vector<uint8_t> packed(layout.packed_bytes(n));
          EXPECT_THROW(pack_4bit_codes_at(layout, 0, n, bad.data(), packed.data()), InvalidArgument)
              << "vector " << vec << " sub-code " << pos << " value " << int{value};
        }
      }
    }
    std::vector<uint8_t> packed(layout.packed_bytes(n));
    EXPECT_NO_THROW(pack_4bit_codes_at(layout, 0, n, sub.data(), packed.data()));
  });
}

// Sub-code s of vector i read straight from the documented bit layout (fastscan_layout.h).
uint8_t documented_nibble(const FastScanLayout& layout, const std::vector<uint8_t>& packed, size_t i, size_t s) {
  const size_t padded = layout.padded_sub(s);
  const uint8_t byte = packed[(i / 32) * layout.block_bytes() + (padded / 2) * 32 + i % 32];
  return padded % 2 == 0 ? byte & 0x0F : byte >> 4;
}

// unpack_4bit_codes_at for ranges starting and ending at every kind of block offset equals the
// documented layout read nibble by nibble.
TEST(FastScanLayout, UnpackAtEqualsDocumentedLayout) {
  const size_t n = 101, nsub = 11;
  const FastScanLayout layout(nsub, {0, 5, 11});  // two odd groups: a padding nibble in each
  const auto sub = random_sub_codes(n, nsub, 5);
  std::vector<uint8_t> packed(layout.packed_bytes(n));
  pack_4bit_codes(layout, n, sub.data(), packed.data());
  for (size_t first : {0, 1, 31, 32, 45, 64, 100}) {
    for (size_t m : {0, 1, 19, 33, 70}) {
      if (first + m > n) continue;
      std::vector<uint8_t> got(m * nsub, 0xEE);
      unpack_4bit_codes_at(layout, first, m, packed.data(), got.data());
      for (size_t i = 0; i < m; ++i)
        for (size_t s = 0; s < nsub; ++s)
          ASSERT_EQ(got[i * nsub + s], documented_nibble(layout, packed, first + i, s))
              << "first " << first << " i " << i << " s " << s;
    }
  }
}

// pack_4bit_lanes_at (whole bytes per lane) equals pack_4bit_code_at vector by vector, appending into
// zeroed lanes and overwriting packed ones, at every lane offset, with odd groups (padding nibbles); the
// block's other lanes are untouched; a bad sub-code or a range crossing a block writes nothing.
TEST(FastScanLayout, PackLanesAtEqualsPackingOneAtATime) {
  const size_t n = 96, nsub = 11;
  const FastScanLayout layout(nsub, {0, 5, 11});
  const auto old_sub = random_sub_codes(n, nsub, 8);
  const auto new_sub = random_sub_codes(n, nsub, 9);
  for (bool overwrite : {false, true}) {
    for (size_t first : {0, 1, 13, 31, 32, 40, 63, 64, 95}) {
      for (size_t m : {0, 1, 2, 7, 19, 32}) {
        if (first % 32 + m > 32) continue;
        std::vector<uint8_t> base(layout.packed_bytes(n), 0);
        // Appending: vectors before `first` packed, the rest zero. Overwriting: all packed.
        pack_4bit_codes(layout, overwrite ? n : first, old_sub.data(), base.data());
        std::vector<uint8_t> want = base, got = base;
        for (size_t i = 0; i < m; ++i) pack_4bit_code_at(layout, first + i, new_sub.data() + i * nsub, want.data());
        pack_4bit_lanes_at(layout, first, m, new_sub.data(), got.data());
        ASSERT_EQ(got, want) << "overwrite " << overwrite << " first " << first << " m " << m;
      }
    }
  }
  std::vector<uint8_t> packed(layout.packed_bytes(n), 0x5A), before = packed;
  auto bad = random_sub_codes(3, nsub, 10);
  bad[2 * nsub + 10] = 16;
  EXPECT_THROW(pack_4bit_lanes_at(layout, 4, 3, bad.data(), packed.data()), InvalidArgument);
  EXPECT_THROW(pack_4bit_lanes_at(layout, 30, 3, new_sub.data(), packed.data()), InvalidArgument);
  EXPECT_EQ(packed, before);
}

// Compaction in place equals packing the kept vectors afresh (free lanes of the last block zero),
// for keep patterns that empty whole blocks, keep everything, keep nothing, or one in three.
TEST(FastScanLayout, CompactEqualsPackingTheKeptVectors) {
  const size_t n = 133, nsub = 7;
  const FastScanLayout layout(nsub, {0, 3, 7});
  const auto sub = random_sub_codes(n, nsub, 21);
  std::vector<std::vector<uint8_t>> patterns;
  std::vector<uint8_t> keep(n);
  for (size_t i = 0; i < n; ++i) keep[i] = i % 3 != 0;
  patterns.push_back(keep);
  for (size_t i = 0; i < n; ++i) keep[i] = i < 40 || i >= 96;  // drops vectors 40..95 (block 2 whole)
  patterns.push_back(keep);
  patterns.emplace_back(n, 1);
  patterns.emplace_back(n, 0);
  for (size_t i = 0; i < n; ++i) keep[i] = i == 77;
  patterns.push_back(keep);
  for (const auto& pattern : patterns) {
    std::vector<uint8_t> packed(layout.packed_bytes(n));
    pack_4bit_codes(layout, n, sub.data(), packed.data());
    std::vector<uint8_t> kept_sub;
    for (size_t i = 0; i < n; ++i)
      if (pattern[i]) kept_sub.insert(kept_sub.end(), sub.begin() + i * nsub, sub.begin() + (i + 1) * nsub);
    const size_t kept = kept_sub.size() / nsub;
    ASSERT_EQ(compact_4bit_codes(layout, n, pattern.data(), packed.data()), kept);
    std::vector<uint8_t> expected(layout.packed_bytes(kept));
    pack_4bit_codes(layout, kept, kept_sub.data(), expected.data());
    packed.resize(layout.packed_bytes(kept));
    EXPECT_EQ(packed, expected) << "kept " << kept;
  }
}

TEST(FastScanLayout, RejectsBadInput) {
  const FastScanLayout layout(3);
  const uint8_t bad[3] = {1, 16, 2};
  std::vector<uint8_t> packed(layout.packed_bytes(1));
  EXPECT_THROW(pack_4bit_codes(layout, 1, bad, packed.data()), InvalidArgument);
  EXPECT_THROW(FastScanLayout(3, {0, 4}), InvalidArgument);
  EXPECT_THROW(FastScanLayout(3, {1, 3}), InvalidArgument);
  EXPECT_THROW(FastScanLayout(0), InvalidArgument);
}

}  // namespace
}  // namespace ipaq
