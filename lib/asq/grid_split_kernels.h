// The approximate solver's passes on the uniform grid (approx_solver.cc) — the input's min and max,
// the split of the input onto the grid and the compaction of its non-empty points —, one kernel per
// SIMD level, each in its own translation unit (grid_split_sse2.cc — the x86-64 baseline —,
// grid_split_avx2.cc, grid_split_avx512.cc); uniform_grid_kernels() picks those of simd_level().
//
// min_max, the same result at every level: *low and *high the minimum and maximum of x[0..n) (n >= 1)
// over its non-NaN values (±infinity included; a zero result is +0); returns true if some value is NaN
// (then *low / *high may be anything).
//
// split, the same bits at every level. For each x_i in input order, with weight w_i (1 when w is
// null): u = (x_i − lo)·inv_step, t = trunc(min(u, last_cell)), p = min(u − t, 1); then
// point_weight[t] += w_i − w_i·p and point_weight[t + 1] += w_i·p (unit weights: 1 − p and p), one
// point after the other, so every grid point's weight is the same sum in the same order. Returns
// V' = Σ w_i·p_i − (w_i·p_i)·p_i, summed in eight lanes (point i in lane i mod 8) and reduced as
// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)). lib/asq is built with -ffp-contract=off, so no
// level fuses a multiply into an add: the levels differ only in how many points one instruction
// locates (2, 4 or 8), never in a result. Inputs: finite x in [lo, lo + (last_cell + 1)/inv_step]
// (up to rounding), 0 <= last_cell < 2^31 (cells are int32), point_weight with last_cell + 2 entries.
//
// compact, the same bits at every level. For t = first .. end − 1 in order: writes g_t = lo + t·step
// (a multiply, then an add) and point_weight[t] at index k of points / kept_weights and advances k if
// keep_all or point_weight[t] > 0, then sets point_weight[t] = 0; returns the final k. With k <= first
// on entry k never passes t, so every write (a level may write a few entries past the last kept one)
// lands below index end; what lies past the returned k is left over.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ipaq::asq::grid_split {

using SplitUniformFn = double (*)(const double* x, const double* w, size_t n, double lo, double inv_step,
                                  double last_cell, double* point_weight);

double split_uniform_sse2(const double* x, const double* w, size_t n, double lo, double inv_step,
                          double last_cell, double* point_weight);
double split_uniform_avx2(const double* x, const double* w, size_t n, double lo, double inv_step,
                          double last_cell, double* point_weight);
double split_uniform_avx512(const double* x, const double* w, size_t n, double lo, double inv_step,
                            double last_cell, double* point_weight);

using MinMaxFn = bool (*)(const double* x, size_t n, double* low, double* high);

bool min_max_sse2(const double* x, size_t n, double* low, double* high);
bool min_max_avx512(const double* x, size_t n, double* low, double* high);

using CompactUniformFn = size_t (*)(double* point_weight, size_t first, size_t end, double lo, double step,
                                    bool keep_all, double* points, double* kept_weights, size_t k);

size_t compact_uniform_sse2(double* point_weight, size_t first, size_t end, double lo, double step, bool keep_all,
                            double* points, double* kept_weights, size_t k);
size_t compact_uniform_avx512(double* point_weight, size_t first, size_t end, double lo, double step,
                              bool keep_all, double* points, double* kept_weights, size_t k);

struct UniformGridKernels {
  MinMaxFn min_max;  // AVX2: the SSE2 kernel (not measured; AVX-512 itself gained little, RESULTS.md)
  SplitUniformFn split;
  CompactUniformFn compact;  // AVX2 has no compress instruction: the SSE2 kernel
};

// The kernels of simd_level() (lib/core/simd_level.h).
const UniformGridKernels& uniform_grid_kernels();

namespace detail {

constexpr size_t kLanes = 8;
constexpr size_t kBlock = 256;  // points located before their weights are added; a multiple of kLanes

// The driver every level shares. Locator<kUnitWeights> (one per level, defined in its translation unit,
// constructed from lo, inv_step, last_cell) has
//   void group(const double* x, const double* w, int32_t* cell, double* p)
// locating 8 points (w unused for unit weights) and adding their V' terms to its lanes (point k of the
// group in lane k), and void lanes(double* out) giving the 8 partial sums. The last points of the input
// go through a padded group (x = lo, weight 0: p = 0, so they add exactly +0). The weights are added one
// point at a time: the cells follow the data, in no pattern.
template <bool kUnitWeights, class Locator>
double split_blocks(Locator& locator, const double* x, const double* w, size_t n, double lo, double* point_weight) {
  alignas(64) int32_t cell[kBlock];
  alignas(64) double p[kBlock];
  for (size_t begin = 0; begin < n; begin += kBlock) {
    const size_t count = n - begin < kBlock ? n - begin : kBlock;  // no shared std:: template (ISA flags)
    const double* xb = x + begin;
    const double* wb = kUnitWeights ? nullptr : w + begin;
    size_t i = 0;
    for (; i + kLanes <= count; i += kLanes) locator.group(xb + i, kUnitWeights ? nullptr : wb + i, cell + i, p + i);
    if (i < count) {  // cell and p have room up to the next multiple of kLanes
      double xs[kLanes], ws[kLanes];
      for (size_t k = 0; k < kLanes; ++k) {
        xs[k] = i + k < count ? xb[i + k] : lo;
        ws[k] = i + k < count && !kUnitWeights ? wb[i + k] : 0.0;
      }
      locator.group(xs, ws, cell + i, p + i);
    }
    for (i = 0; i < count; ++i) {
      double* left = point_weight + cell[i];
      if constexpr (kUnitWeights) {
        left[0] += 1.0 - p[i];
        left[1] += p[i];
      } else {
        const double wp = wb[i] * p[i];
        left[0] += wb[i] - wp;
        left[1] += wp;
      }
    }
  }
  double lane[kLanes];
  locator.lanes(lane);
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// A level's min/max after its vector loop: the values from `from` on one at a time (NaN keeps the
// running value and is flagged), then −0 turned into +0 in both results, since the levels meet the zeros
// in different orders. Compiled once, for the baseline (grid_split_kernels.cc): nothing ISA-dependent is
// shared between the kernels' translation units.
bool finish_min_max(const double* x, size_t from, size_t n, double low, double high, bool nan, double* low_out,
                    double* high_out);

// A level's split kernel: its Locator instantiated for unit weights (w null) or given ones.
template <template <bool> class Locator>
double split_uniform(const double* x, const double* w, size_t n, double lo, double inv_step, double last_cell,
                     double* point_weight) {
  if (w == nullptr) {
    Locator<true> locator(lo, inv_step, last_cell);
    return split_blocks<true>(locator, x, w, n, lo, point_weight);
  }
  Locator<false> locator(lo, inv_step, last_cell);
  return split_blocks<false>(locator, x, w, n, lo, point_weight);
}

}  // namespace detail
}  // namespace ipaq::asq::grid_split
