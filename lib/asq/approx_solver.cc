// Approximate ASQ on a grid: one pass of unbiased splitting onto the grid, then an exact weighted
// solve on the non-empty grid points. The grid (approx_grid.h) is the uniform m-point grid whose cells
// are subdivided where the optimal levels will be dense.
//
// Exactness on the grid. Let g↓ <= x <= g↑ be the grid neighbours of x and Y the random grid point
// with P(Y = g↑) = p = (x − g↓)/(g↑ − g↓), so E[Y] = x and Var Y = (g↑ − x)(x − g↓). For levels Q on
// the grid with neighbours a <= g↓, g↑ <= b of x, f(y) = (b − y)(y − a) is a quadratic with leading
// coefficient −1, so f(x) = E f(Y) + Var Y. Summing with weights:
//   cost(Q) = Σ_t W_t f_Q(g_t) + V,   W_t = the split weights,  V = Σ w (g↑ − x)(x − g↓),
// where V does not depend on Q. The exact weighted solve over grid points therefore returns the best
// level set among those on the grid, and its true cost is the grid cost plus V. (Levels at empty grid
// points are never needed: the cost is convex piecewise linear in each level, with breakpoints only
// at points of positive weight.) A finer grid that contains a coarser one can only do better.
//
// Bound against the unrestricted optimum Q* (levels at data points, q_0 = x_1, q_K = x_d, both grid
// points). Let Δ be the largest grid spacing (the uniform spacing: subdividing only shrinks cells).
// Round every level of Q* down to the grid: Q' (at most s levels; more levels never hurt).
// Take x between q_{i−1} <= x <= q_i. If q_i' <= x, the Q' neighbours of x are within Δ below it
// (q_i' >= q_i − Δ) and within R above, so its variance is <= R·Δ. Otherwise its neighbours lie in
// [q_{i−1} − Δ, q_i], so its variance <= (q_i − x)(x − q_{i−1} + Δ) <= its Q* variance + R·Δ.
// Hence OPT <= cost(approx) <= cost(Q') <= OPT + W·R·Δ, W = Σ w. The bound is worst case (a point
// mass between two grid points nearly attains it); on smooth data the gap is far smaller
// (bench/RESULTS.md measures it at m = 100·s).
//
// Where the extra points go. With level spacing L(x) the cost is ≈ Σ f·L³/6 per interval, minimised
// by a level density ∝ f^{1/3}. Moving a level by ε off its optimum costs ≈ f·L·ε²/2, so the grid's
// relative loss is ≈ (grid spacing / level spacing)² — a grid whose spacing is a fixed fraction of
// the level spacing everywhere wastes no points. A uniform grid stretched over a heavy tail puts
// most of its points where there are few levels (LogNormal at d = 2^24: 97 % of the grid beyond
// x = 8, 2 % of the data there). The density f comes from a sorted strided sample of the input
// (segments of kDensitySegment sample points, density_segments.h); the extra points are spread by
// the cumulative f^{1/3} mass with error-diffusing rounding, so exactly `extra_points` are placed.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "lib/asq/approx_grid.h"
#include "lib/asq/density_segments.h"
#include "lib/asq/grid_split_kernels.h"
#include "lib/asq/solve_support.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq::asq {
namespace {

// Density sample: d/64 points within [1024, 4096] (all of them below 1024); sorting 4096 costs ~0.2 ms,
// which matters next to a 0.4 ms solve at d = 2^16.
constexpr size_t kMinSample = 1024, kMaxSample = 4096;

// Min and max of x; throws (via check_finite) on NaN or infinity.
std::pair<double, double> finite_min_max(std::span<const double> x) {
  double low, high;
  const bool nan = grid_split::uniform_grid_kernels().min_max(x.data(), x.size(), &low, &high);
  if (nan || !std::isfinite(low) || !std::isfinite(high)) check_finite(x.data(), x.size(), "asq approx: input");
  return {low, high};
}

// Sub-cell counts k_t >= 1 of the `cells` uniform cells [lo + tΔ, lo + (t+1)Δ], Σ (k_t − 1) = extra.
std::vector<uint32_t> subdivisions(std::span<const double> x, double lo, double step, size_t cells,
                                   size_t extra) {
  std::vector<uint32_t> k(cells, 1);
  const size_t n = std::min(x.size(), std::clamp(x.size() / 64, kMinSample, kMaxSample));
  if (extra == 0 || n < 2) return k;
  std::vector<double> sample(n);
  for (size_t i = 0; i < n; ++i) sample[i] = x[i * x.size() / n];
  std::sort(sample.begin(), sample.end());

  // Segment j spans [start_j, end_j] holding `count` sample gaps (weight count/n); its f^{1/3} mass
  // over its length gives the density of extra points ρ_j = mass / len.
  struct Segment {
    double start, end, cumulative, density;  // cumulative: extra points before start
  };
  std::vector<Segment> segments;
  double total = 0.0;
  for_each_density_segment(
      n, [&](size_t i) { return sample[i]; },
      [&](size_t i, size_t j) { return static_cast<double>(j - i) / static_cast<double>(n); },
      [&](size_t i, size_t j, double len, double mass) {
        segments.push_back({sample[i], sample[j], total, mass / len});
        total += mass;
      });
  if (!(total > 0.0)) return k;
  const double scale = static_cast<double>(extra) / total;

  // Extra points left of b: the cumulative mass up to b, scaled. Boundaries b increase with t.
  size_t seg = 0;
  auto placed_before = [&](double b) {
    while (seg < segments.size() && segments[seg].end <= b) ++seg;
    if (seg == segments.size()) return static_cast<double>(extra);
    const Segment& g = segments[seg];
    const double inside = std::max(0.0, b - g.start) * g.density;
    return (g.cumulative + inside) * scale;
  };
  int64_t placed = 0;
  for (size_t t = 0; t < cells; ++t) {
    const double boundary = t + 1 == cells ? INFINITY : lo + static_cast<double>(t + 1) * step;
    const int64_t upto = std::min<int64_t>(static_cast<int64_t>(extra), std::llround(placed_before(boundary)));
    k[t] += static_cast<uint32_t>(std::max<int64_t>(0, upto - placed));
    placed = std::max(placed, upto);
  }
  return k;
}

struct Cell {
  uint32_t first;  // index of the cell's first sub-cell (= of its left grid point)
  uint32_t count;  // sub-cells k_t
};

// Per sub-cell sums of the points falling into it: Σ w, Σ w p, Σ w p² (p = position in the sub-cell).
struct SubCellSums {
  double w = 0.0, wp = 0.0, wpp = 0.0;
};

// Phase 1 of bucketing a block (vectorisable): cell index t of each x and its offset u − t in cell units.
constexpr size_t kBlock = 256;
inline void locate_block(const double* xb, size_t count, double lo, double inv_step, double last_cell,
                         int32_t* cell_of, double* frac) {
  for (size_t i = 0; i < count; ++i) {
    const double u = (xb[i] - lo) * inv_step;  // in [0, m − 1] up to rounding
    const double uc = u < last_cell ? u : last_cell;
    const int32_t t = static_cast<int32_t>(uc);
    cell_of[i] = t;
    frac[i] = u - static_cast<double>(t);
  }
}

template <bool kUnitWeights>
void accumulate(std::span<const double> x, std::span<const double> weights, double lo, double inv_step,
                const std::vector<Cell>& cells, std::vector<SubCellSums>& sums) {
  // Two phases per block: the cell index and offset (vectorisable), then the table lookups and sums.
  const double last_cell = static_cast<double>(cells.size() - 1);
  alignas(64) int32_t cell_of[kBlock];
  alignas(64) double frac[kBlock];
  for (size_t begin = 0; begin < x.size(); begin += kBlock) {
    const size_t count = std::min(kBlock, x.size() - begin);
    locate_block(x.data() + begin, count, lo, inv_step, last_cell, cell_of, frac);
    for (size_t i = 0; i < count; ++i) {
      const Cell cell = cells[static_cast<size_t>(cell_of[i])];
      const double v = frac[i] * static_cast<double>(cell.count);
      const int64_t j = std::min(static_cast<int64_t>(v), static_cast<int64_t>(cell.count) - 1);
      const double q = v - static_cast<double>(j);
      const double p = q < 1.0 ? q : 1.0;
      const size_t index = cell.first + static_cast<size_t>(j);
      SubCellSums& sum = sums[index];
      if constexpr (kUnitWeights) {
        sum.w += 1.0;
        sum.wp += p;
        sum.wpp += p * p;
      } else {
        const double w = weights[begin + i];
        sum.w += w;
        sum.wp += w * p;
        sum.wpp += w * p * p;
      }
    }
  }
}

}  // namespace

// m/8 extra points put ~12 grid points in every level interval of the bulk: the measured gap at
// m = 100·s drops from +0.65 % (uniform grid, d = 2^24, s = 256) to +0.04 % while the exact solve
// grows by at most m/8 points (bench/RESULTS.md).
// Only for d >= 32·m. Below, the grid problem is a sizeable fraction of the input (at d = 2^16,
// m = 100·s = 6400 / 25 600: 2300 / 6800 non-empty points), its exact solve costs as much as or more
// than the bucketing pass, and the density sample plus the extra points add 25–50 % to the total
// (measured at d = 2^16, s = 64: 0.35 → 0.45 ms CPU); the tail there is also short (max ≈ 70 at
// d = 2^16 vs ≈ 200 at 2^24), so the uniform grid alone stays within +0.12 % / +0.23 % of the
// optimum at s = 64 / 256 (bench/RESULTS.md). Both grids obey the same bound.
constexpr size_t kAdaptMinPointsPerGridPoint = 32;

size_t approx_extra_points(size_t d, size_t grid_points) {
  return d / kAdaptMinPointsPerGridPoint >= grid_points ? grid_points / 8 : 0;
}

double approx_cost_bound(double total_weight, double range, size_t grid_points) {
  IPAQ_CHECK_ARG(grid_points >= 2, "asq approx: grid_points=", grid_points, " must be >= 2");
  return total_weight * range * range / static_cast<double>(grid_points - 1);
}

namespace {

// Per-thread scratch for the cell table and the sub-cell sums, reused across calls: fresh blocks of
// a few hundred KB come back from the kernel one page fault per 4 KiB (measured at d = 2^16,
// m = 25 600: ~290 faults, over half of a 0.8 ms grid build). Kept only up to kMaxKeptScratchBytes.
struct GridScratch {
  std::vector<Cell> cells;
  std::vector<SubCellSums> sums;
};
constexpr size_t kMaxKeptScratchBytes = size_t{16} << 20;

// The uniform grid (no extra points), the case of d < 32·m where the grid problem is a sizeable
// fraction of the input and every pass over the cells shows: each x adds w(1 − p) to its left grid
// point and w·p to its right one directly (one double per grid point, 200 KB at m = 25 600, instead of
// per-cell sums), V is summed per point (the pass is grid_split_kernels.h, one kernel per SIMD level,
// the same bits at each), the weights stay zeroed between calls (the pass that reads them clears them,
// so no memset), and the non-empty points are compacted without branches.
size_t make_uniform_grid(std::span<const double> x, std::span<const double> weights, double lo, double hi,
                         size_t grid_points, bool nonempty_only, ApproxGrid& grid) {
  const size_t n_cells = grid_points - 1;
  IPAQ_CHECK_ARG(n_cells < (size_t{1} << 31), "asq approx: uniform grid of more than 2^31 points");
  const double step = (hi - lo) / static_cast<double>(n_cells);
  thread_local std::vector<double> scratch;  // all zero between calls
  if (scratch.size() < grid_points) scratch.resize(grid_points);  // strong guarantee: still all zero
  double* point_weight = scratch.data();
  // The table is usually cold when a call starts (e.g. right after the caller sorted a copy of the
  // input), and the split then waits on a miss at nearly every point that reaches a new line: one
  // prefetch per line first, in order, lets the hardware stream the table in (bench/RESULTS.md).
  for (size_t i = 0; i < grid_points; i += 64 / sizeof(double)) __builtin_prefetch(point_weight + i, 1);
  const grid_split::UniformGridKernels& kernels = grid_split::uniform_grid_kernels();
  // Exception-safe by construction: once weights are accumulated, the only things that can throw are
  // the output allocations below; if one does, this guard zeroes the scratch during unwinding, so the
  // next call on this thread never adds stale weights. On success the output loop has zeroed it.
  struct ZeroOnUnwind {
    double* weights;
    size_t count;
    bool cleared = false;
    ~ZeroOnUnwind() {
      if (!cleared) std::fill(weights, weights + count, 0.0);
    }
  } guard{point_weight, grid_points};
  const double variance = kernels.split(x.data(), weights.empty() ? nullptr : weights.data(), x.size(), lo,
                                        1.0 / step, static_cast<double>(n_cells - 1), point_weight);
  // Room for every point (growing only: a reused grid is not cleared again).
  if (grid.points.size() < grid_points) {
    grid.points.resize(grid_points);
    grid.weights.resize(grid_points);
  }
  grid.points[0] = lo;
  grid.weights[0] = point_weight[0];
  point_weight[0] = 0.0;
  const size_t k = kernels.compact(point_weight, 1, n_cells, lo, step, !nonempty_only, grid.points.data(),
                                   grid.weights.data(), 1);
  grid.points[k] = hi;
  grid.weights[k] = point_weight[n_cells];
  point_weight[n_cells] = 0.0;
  guard.cleared = true;
  grid.split_variance = variance * step * step;
  if (scratch.capacity() * sizeof(double) > kMaxKeptScratchBytes) scratch = {};
  return k + 1;
}

// The grid of build_approx_grid(); with nonempty_only, only its points of positive weight and both
// ends (the points an exact solve needs), in order, with the same values and weights bit for bit.
// Written into `grid` (its vectors reused: entries past the returned count are left over).
size_t make_grid(std::span<const double> x, std::span<const double> weights, size_t grid_points,
                 size_t extra_points, bool nonempty_only, ApproxGrid& grid) {
  const auto [lo, hi] = finite_min_max(x);
  if (!(hi > lo)) {
    grid.points = {lo};
    grid.weights = {weights.empty() ? static_cast<double>(x.size()) : 0.0};
    if (!weights.empty()) {
      for (double w : weights) grid.weights[0] += w;
    }
    grid.split_variance = 0.0;
    return 1;
  }
  if (extra_points == 0) return make_uniform_grid(x, weights, lo, hi, grid_points, nonempty_only, grid);
  const size_t n_cells = grid_points - 1;
  const double step = (hi - lo) / static_cast<double>(n_cells);
  thread_local GridScratch scratch;
  std::vector<Cell>& cells = scratch.cells;
  cells.resize(n_cells);
  size_t n_sub = 0;
  const std::vector<uint32_t> k = subdivisions(x, lo, step, n_cells, extra_points);
  for (size_t t = 0; t < n_cells; ++t) {
    IPAQ_CHECK_ARG(n_sub + k[t] < (size_t{1} << 32), "asq approx: grid of more than 2^32 points");
    cells[t] = Cell{static_cast<uint32_t>(n_sub), k[t]};
    n_sub += k[t];
  }
  std::vector<SubCellSums>& sums = scratch.sums;
  sums.assign(n_sub, SubCellSums{});
  const double inv_step = 1.0 / step;
  if (weights.empty()) {
    accumulate<true>(x, weights, lo, inv_step, cells, sums);
  } else {
    accumulate<false>(x, weights, lo, inv_step, cells, sums);
  }

  // Point i is the left end of sub-cell i (weight Σ w(1 − p)) and the right end of sub-cell i − 1
  // (weight Σ w p); each sub-cell adds Σ w p(1 − p) · δ² to V.
  grid.points.clear();
  grid.weights.clear();
  if (!nonempty_only) {
    grid.points.reserve(n_sub + 1);
    grid.weights.reserve(n_sub + 1);
  }
  double carry = 0.0;  // Σ w p of sub-cell i − 1: the first part of point i's weight
  double split_variance = 0.0;  // a local: the member would be stored and reloaded per sub-cell
  for (size_t t = 0; t < n_cells; ++t) {
    const double sub_step = step / cells[t].count;
    for (uint32_t j = 0; j < cells[t].count; ++j) {
      const SubCellSums& sum = sums[cells[t].first + j];
      const double weight = carry + (sum.w - sum.wp);
      if (!nonempty_only || weight > 0.0 || (t == 0 && j == 0)) {
        // lo + (t + j/k)Δ is non-decreasing in (t, j): both operations round monotonically.
        grid.points.push_back(lo + (static_cast<double>(t) + static_cast<double>(j) / cells[t].count) * step);
        grid.weights.push_back(weight);
      }
      carry = sum.wp;
      split_variance += (sum.wp - sum.wpp) * sub_step * sub_step;
    }
  }
  grid.points.push_back(hi);
  grid.weights.push_back(carry);
  grid.split_variance = split_variance;
  if (sums.capacity() * sizeof(SubCellSums) + cells.capacity() * sizeof(Cell) > kMaxKeptScratchBytes) {
    scratch = GridScratch{};
  }
  return grid.points.size();
}

}  // namespace

ApproxGrid build_approx_grid(std::span<const double> x, std::span<const double> weights,
                             size_t grid_points, size_t extra_points) {
  ApproxGrid grid;
  const size_t count = make_grid(x, weights, grid_points, extra_points, false, grid);
  grid.points.resize(count);
  grid.weights.resize(count);
  return grid;
}

Solution solve_approx_grid(std::span<const double> x, std::span<const double> weights, size_t s,
                           size_t grid_points, size_t extra_points) {
  // The non-empty grid points (both ends always: the levels must cover [x_1, x_d]) and the grid
  // problem's interval costs (56 bytes per point) are per-thread scratch like the cell table.
  thread_local ApproxGrid grid;
  thread_local IntervalCost::Storage cost_scratch;
  const size_t count = make_grid(x, weights, grid_points, extra_points, true, grid);
  const std::span<const double> points(grid.points.data(), count), point_weights(grid.weights.data(), count);
  if (count == 1) return Solution{{points[0]}, 0.0};
  Solution out = solve_sorted_exact(points, point_weights, s, Solver::kAuto, &cost_scratch);
  out.cost += grid.split_variance;
  if (cost_scratch.capacity_bytes() > kMaxKeptScratchBytes) cost_scratch = {};
  if ((grid.points.capacity() + grid.weights.capacity()) * sizeof(double) > kMaxKeptScratchBytes) grid = {};
  return out;
}

Solution solve_approx(std::span<const double> x, std::span<const double> weights, size_t s,
                      size_t grid_points) {
  IPAQ_CHECK_ARG(!x.empty(), "asq approx: empty input");
  IPAQ_CHECK_ARG(s >= 2, "asq approx: s=", s, " levels; at least 2 are needed");
  validate_weights(x, weights);
  const size_t m = grid_points == 0 ? checked_mul(100, s, "asq approx: grid") : grid_points;
  IPAQ_CHECK_ARG(m >= 2, "asq approx: grid_points=", m, " must be >= 2");
  return solve_approx_grid(x, weights, s, m, approx_extra_points(x.size(), m));
}

}  // namespace ipaq::asq
