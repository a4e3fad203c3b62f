// lut_sums (lib/scan/lut_sums.h), the LUT sums behind IndexCodecIVF's L2 terms: the AVX-512 kernel gives
// the same bits as the scalar loop (each lane adds in sub-code order from 0.0f), for every tail length of
// its 32-vector passes and for groups that start and end inside a 4-sub-code step; the scalar loop equals
// a plain per-vector sum in sub-code order; the dispatcher takes the scalar loop where the kernel does not
// apply (8-bit rows, nsub % 4 != 0); the packed-layout form gives the same bits. LUT values are non-integer,
// so a different addition order would show.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "lib/scan/aligned_allocator.h"
#include "lib/scan/fastscan_layout.h"
#include "lib/scan/lut_sums.h"
#include "lib/core/simd_level.h"
#include "tests/lib/scan/simd_levels.h"

namespace ipaq {
namespace {

struct Case {
  size_t m, nsub, width;
  std::vector<size_t> group_begin;
};

struct Data {
  std::vector<uint8_t> sub;
  std::vector<float> lut;
};

Data make_data(const Case& c, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> code(0, static_cast<int>(c.width) - 1);
  std::normal_distribution<float> value(0.0f, 3.0f);
  Data d;
  d.sub.resize(c.m * c.nsub);
  for (uint8_t& s : d.sub) s = static_cast<uint8_t>(code(rng));
  d.lut.resize(c.nsub * c.width);
  for (float& v : d.lut) v = value(rng);
  return d;
}

std::vector<float> run(void (*f)(size_t, size_t, size_t, const uint8_t*, const float*, const size_t*, size_t, float*),
                       const Case& c, const Data& d) {
  const size_t groups = c.group_begin.size() - 1;
  std::vector<float> sums(c.m * groups, -1.0f);
  f(c.m, c.nsub, c.width, d.sub.data(), d.lut.data(), c.group_begin.data(), groups, sums.data());
  return sums;
}

void avx512(size_t m, size_t nsub, size_t, const uint8_t* sub, const float* lut, const size_t* begin, size_t groups,
            float* sums) {
  lut_sums_avx512(m, nsub, sub, lut, begin, groups, sums);
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (size_t m : {1, 2, 15, 16, 17, 31, 32, 33, 47, 64, 70, 100}) {
    out.push_back({m, 256, 16, {0, 256}});           // RaBitQ1 at d = 784 (padded): one group
    out.push_back({m, 4, 16, {0, 4}});               // the smallest nsub the kernel takes
    out.push_back({m, 24, 16, {0, 5, 6, 13, 24}});   // groups cut inside 4-sub-code steps, a 1-wide group
  }
  return out;
}

TEST(IvfLutSums, ScalarEqualsPlainSumInSubCodeOrder) {
  for (const Case& c : cases()) {
    const Data d = make_data(c, static_cast<unsigned>(c.m * 131 + c.nsub));
    const size_t groups = c.group_begin.size() - 1;
    std::vector<float> plain(c.m * groups);
    for (size_t i = 0; i < c.m; ++i) {
      for (size_t g = 0; g < groups; ++g) {
        float acc = 0.0f;
        for (size_t j = c.group_begin[g]; j < c.group_begin[g + 1]; ++j) acc += d.lut[j * c.width + d.sub[i * c.nsub + j]];
        plain[i * groups + g] = acc;
      }
    }
    EXPECT_TRUE(same_bits(run(lut_sums_scalar, c, d), plain)) << "m=" << c.m << " nsub=" << c.nsub;
  }
}

TEST(IvfLutSums, Avx512KernelEqualsScalarBitForBit) {
  if (cpu_simd_level() < SimdLevel::kAvx512) GTEST_SKIP() << "no AVX-512 on this CPU: the kernel cannot run";
  for (const Case& c : cases()) {
    const Data d = make_data(c, static_cast<unsigned>(c.m * 7 + c.nsub));
    EXPECT_TRUE(same_bits(run(avx512, c, d), run(lut_sums_scalar, c, d))) << "m=" << c.m << " nsub=" << c.nsub;
  }
}

// The dispatcher at every level this CPU supports (simd_level() set to it, as IPAQ_SIMD would): same bits.
TEST(IvfLutSums, DispatchEqualsScalarAtEverySimdLevel) {
  testing::for_each_simd_level([](SimdLevel) {
    for (const Case& c : cases()) {
      const Data d = make_data(c, static_cast<unsigned>(c.m * 5 + c.nsub));
      EXPECT_TRUE(same_bits(run(lut_sums, c, d), run(lut_sums_scalar, c, d))) << "m=" << c.m << " nsub=" << c.nsub;
    }
  });
}

TEST(IvfLutSums, DispatchTakesScalarWhereTheKernelDoesNotApply) {
  // 8-bit rows (TQ3-like) and nsub % 4 != 0: the dispatcher must not read 4 bytes at a time past a row.
  for (const Case& c : {Case{37, 6, 256, {0, 6}}, Case{37, 6, 16, {0, 3, 6}}, Case{5, 1, 16, {0, 1}}}) {
    const Data d = make_data(c, 99);
    EXPECT_TRUE(same_bits(run(lut_sums, c, d), run(lut_sums_scalar, c, d))) << "nsub=" << c.nsub;
  }
}

// lut_sums_packed4: vectors [first, first + m) of a packed array give the bits lut_sums_scalar gives on their
// row-major sub-codes — ranges starting and ending inside 32-vector blocks and crossing them, groups of odd
// size (a pair without a high nibble) and of one sub-code; scalar, AVX-512 alone and the dispatcher at every
// level. Lanes outside the range hold other vectors' codes (and zero padding), which must not leak in.
TEST(IvfLutSums, PackedFormEqualsScalarOnTheUnpackedSubCodes) {
  struct Split {
    size_t nsub;
    std::vector<size_t> group_begin;
  };
  const Split splits[] = {{256, {0, 256}}, {196, {0, 196}}, {24, {0, 5, 6, 13, 24}}, {3, {0, 3}}, {1, {0, 1}}};
  const std::pair<size_t, size_t> ranges[] = {{0, 1}, {0, 32}, {0, 100}, {5, 20}, {31, 2}, {17, 70}, {64, 33}, {40, 60}};
  for (const Split& split : splits) {
    const FastScanLayout layout(split.nsub, split.group_begin);
    const size_t n = 100, groups = split.group_begin.size() - 1;
    const Case all{n, split.nsub, 16, split.group_begin};
    const Data d = make_data(all, static_cast<unsigned>(split.nsub));
    AlignedBytes packed(layout.packed_bytes(n));
    pack_4bit_codes(layout, n, d.sub.data(), packed.data());
    for (const auto& [first, m] : ranges) {
      if (first + m > n) continue;
      std::vector<float> ref(m * groups, -1.0f);
      lut_sums_scalar(m, split.nsub, 16, d.sub.data() + first * split.nsub, d.lut.data(), split.group_begin.data(),
                      groups, ref.data());
      auto packed_sums = [&](auto f) {
        std::vector<float> sums(m * groups, -1.0f);
        f(layout, packed.data(), first, m, d.lut.data(), sums.data());
        return sums;
      };
      const std::string where = "nsub=" + std::to_string(split.nsub) + " first=" + std::to_string(first) +
                                " m=" + std::to_string(m);
      EXPECT_TRUE(same_bits(packed_sums(lut_sums_packed4_scalar), ref)) << where;
      if (cpu_simd_level() >= SimdLevel::kAvx512) {
        EXPECT_TRUE(same_bits(packed_sums(lut_sums_packed4_avx512), ref)) << "AVX-512 " << where;
      }
      testing::for_each_simd_level([&](SimdLevel) {
        EXPECT_TRUE(same_bits(packed_sums(lut_sums_packed4), ref)) << "dispatch " << where;
      });
    }
  }
}

}  // namespace
}  // namespace ipaq
