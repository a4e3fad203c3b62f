// The uniform-grid kernels of the approximate solver (lib/asq/grid_split_kernels.h): every SIMD level the
// CPU has against the contract written out point by point — the same cells, the same additions in the
// same order, the same eight-lane V', the same compacted points — bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "lib/asq/grid_split_kernels.h"
#include "lib/core/random.h"
#include "lib/core/simd_level.h"
#include "tests/lib/asq/asq_test_data.h"

namespace ipaq::asq::grid_split {
namespace {

struct Level {
  std::string name;
  MinMaxFn min_max;
  SplitUniformFn split;
  CompactUniformFn compact;
};

// Every kernel this CPU can run, whatever IPAQ_SIMD says (the dispatch is tested in approx_solver_test).
std::vector<Level> levels() {
  std::vector<Level> out{{"sse2", min_max_sse2, split_uniform_sse2, compact_uniform_sse2}};
  if (cpu_simd_level() >= SimdLevel::kAvx2) {
    out.push_back({"avx2", min_max_sse2, split_uniform_avx2, compact_uniform_sse2});
  }
  if (cpu_simd_level() >= SimdLevel::kAvx512) {
    out.push_back({"avx512", min_max_avx512, split_uniform_avx512, compact_uniform_avx512});
  }
  return out;
}

// The contract, one point at a time (this file is built for the x86-64 baseline: nothing is fused).
double reference_split(const std::vector<double>& x, const double* w, double lo, double inv_step, double last_cell,
                       std::vector<double>& weight) {
  double lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (size_t i = 0; i < x.size(); ++i) {
    const double u = (x[i] - lo) * inv_step;
    const int32_t t = static_cast<int32_t>(std::min(u, last_cell));
    const double p = std::min(u - static_cast<double>(t), 1.0);
    if (w == nullptr) {
      weight[t] += 1.0 - p;
      weight[t + 1] += p;
      lane[i % 8] += p - p * p;
    } else {
      const double wp = w[i] * p;
      weight[t] += w[i] - wp;
      weight[t + 1] += wp;
      lane[i % 8] += wp - wp * p;
    }
  }
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// Min and max over every size around the vector widths, with the extremes and a NaN or an infinity
// placed at every position (first value, vector part, scalar tail).
TEST(GridSplitKernels, MinMaxAndNanFlagAtEveryPosition) {
  Rng rng(31);
  for (size_t n = 1; n <= 41; ++n) {
    std::vector<double> x(n);
    for (double& v : x) v = 4.0 * rng.uniform() - 2.0;
    for (size_t at = 0; at < n; ++at) {
      for (const double special : {-1e300, 7e300, -HUGE_VAL, HUGE_VAL, std::nan("")}) {
        std::vector<double> y = x;
        y[at] = special;
        double lo = y[0] == y[0] ? y[0] : x[(at + 1) % n], hi = lo;
        bool nan = false;
        for (double v : y) {
          if (v != v) {
            nan = true;
            continue;
          }
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
        for (const Level& level : levels()) {
          double got_lo = 0.0, got_hi = 0.0;
          const bool got_nan = level.min_max(y.data(), n, &got_lo, &got_hi);
          ASSERT_EQ(got_nan, nan) << level.name << " n=" << n << " at=" << at << " special=" << special;
          if (nan) continue;  // the extremes are unspecified then
          ASSERT_EQ(got_lo, lo) << level.name << " n=" << n << " at=" << at << " special=" << special;
          ASSERT_EQ(got_hi, hi) << level.name << " n=" << n << " at=" << at << " special=" << special;
        }
      }
    }
  }
}

// A zero extreme comes back as +0 at every level, whichever zeros the input holds and where (the levels
// meet them in different orders).
TEST(GridSplitKernels, ZeroExtremesArePositiveZeroAtEveryLevel) {
  for (const size_t n : {1, 2, 9, 16, 17, 40}) {
    for (size_t a = 0; a < n; ++a) {
      for (size_t b = 0; b < n; ++b) {
        std::vector<double> up(n, 1.0), down(n, -1.0);
        up[a] = -0.0;
        up[b] = 0.0;
        down[a] = 0.0;
        down[b] = -0.0;
        for (const Level& level : levels()) {
          double lo = 1.0, hi = 1.0;
          ASSERT_FALSE(level.min_max(up.data(), n, &lo, &hi));
          ASSERT_EQ(lo, 0.0);
          ASSERT_FALSE(std::signbit(lo)) << level.name << " n=" << n << " a=" << a << " b=" << b;
          ASSERT_FALSE(level.min_max(down.data(), n, &lo, &hi));
          ASSERT_EQ(hi, 0.0);
          ASSERT_FALSE(std::signbit(hi)) << level.name << " n=" << n << " a=" << a << " b=" << b;
        }
      }
    }
  }
}

TEST(GridSplitKernels, SplitEqualsThePointByPointContract) {
  // Sizes around the 8-point groups and the 256-point blocks; grids coarse enough that many points share
  // a cell (one cell: last_cell = 0), and x = max, whose u may round past the last cell (t is capped at
  // last_cell and p at 1).
  for (const size_t d : {0, 1, 2, 7, 8, 9, 255, 256, 257, 263, 1001, 4096}) {
    for (const bool weighted : {false, true}) {
      const uint64_t seed = 900 + d + (weighted ? 1 : 0);
      auto x = testing::random_sorted(std::max<size_t>(d, 1), testing::Shape::kLogNormal, seed);
      x.resize(d);
      std::reverse(x.begin(), x.end());
      const auto w = testing::random_weights(d, seed + 3);
      const double* wp = weighted ? w.data() : nullptr;
      const double lo = d == 0 ? 0.0 : *std::min_element(x.begin(), x.end());
      const double hi = d == 0 ? 1.0 : *std::max_element(x.begin(), x.end());
      for (const size_t cells : {size_t{1}, size_t{61}}) {
        const double step = hi > lo ? (hi - lo) / cells : 1.0, inv_step = 1.0 / step;
        std::vector<double> expected(cells + 1, 0.0);
        const double expected_v = reference_split(x, wp, lo, inv_step, cells - 1.0, expected);
        for (const Level& level : levels()) {
          std::vector<double> got(cells + 1, 0.0);
          const double v = level.split(x.data(), wp, d, lo, inv_step, cells - 1.0, got.data());
          for (size_t t = 0; t <= cells; ++t) {
            ASSERT_EQ(got[t], expected[t]) << level.name << " d=" << d << " weighted=" << weighted << " t=" << t;
          }
          EXPECT_EQ(v, expected_v) << level.name << " d=" << d << " weighted=" << weighted << " cells=" << cells;
        }
      }
    }
  }
}

TEST(GridSplitKernels, CompactionEqualsThePointByPointContract) {
  Rng rng(77);
  for (const size_t n : {1, 2, 3, 8, 9, 16, 17, 100, 1000}) {
    for (const bool keep_all : {false, true}) {
      for (const size_t first : {size_t{0}, size_t{1}, size_t{5}}) {
        if (first > n) continue;
        std::vector<double> table(n);
        for (double& v : table) v = rng.below(3) == 0 ? rng.uniform() : 0.0;  // a third non-empty
        const double lo = -1.25, step = 0.0371;
        const size_t k0 = first == 0 ? 0 : first - 1;  // k <= first on entry
        std::vector<double> points(n + 1, -7.0), kept(n + 1, -7.0);
        size_t k = k0;
        for (size_t t = first; t < n; ++t) {
          if (keep_all || table[t] > 0.0) {
            points[k] = lo + static_cast<double>(t) * step;
            kept[k++] = table[t];
          }
        }
        for (const Level& level : levels()) {
          std::vector<double> work = table, got_points(n + 1, -7.0), got_kept(n + 1, -7.0);
          const size_t got_k =
              level.compact(work.data(), first, n, lo, step, keep_all, got_points.data(), got_kept.data(), k0);
          ASSERT_EQ(got_k, k) << level.name << " n=" << n << " first=" << first << " keep_all=" << keep_all;
          for (size_t i = 0; i < k0; ++i) {
            ASSERT_EQ(got_points[i], -7.0) << level.name << " wrote below k";
            ASSERT_EQ(got_kept[i], -7.0) << level.name << " wrote below k";
          }
          for (size_t i = k0; i < k; ++i) {
            ASSERT_EQ(got_points[i], points[i]) << level.name << " n=" << n << " i=" << i;
            ASSERT_EQ(got_kept[i], kept[i]) << level.name << " n=" << n << " i=" << i;
          }
          for (size_t t = 0; t < n; ++t) {
            ASSERT_EQ(work[t], t >= first ? 0.0 : table[t]) << level.name << " table entry " << t;
          }
          ASSERT_EQ(got_points[n], -7.0) << level.name << " wrote at or past end";
          ASSERT_EQ(got_kept[n], -7.0) << level.name << " wrote at or past end";
        }
      }
    }
  }
}

}  // namespace
}  // namespace ipaq::asq::grid_split
