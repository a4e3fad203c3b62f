// Concave least-weight subsequence (LWS) with a per-link penalty, by Wilber's online algorithm.
//
// Solves f[0] = 0, f[j] = min_{i<j} f[i] + C(i, j) + λ over the points of an IntervalCost, i.e. the
// cheapest path 0 -> n−1 when every interval costs λ extra. Because C is Monge, the matrix
// E(i, j) = f[i] + C(i, j) is Monge too, but row i is only known once f[i] is: Wilber (1988) computes
// tentative column minima for a block of future columns with SMAWK over the rows available so far,
// and uses the Monge property to decide, row by row, whether a newly finished row invalidates them
// (a new row beats the older rows on a suffix of the columns; the start of that suffix is found by
// binary search). Time O(n) SMAWK work plus O(log n) per invalidation; no dependence on the number
// of intervals. Memory: 12 bytes per point, reused across calls (solve() may be called with several λ).
// Not thread-safe (owns scratch buffers); the IntervalCost must outlive the object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/asq/exact_solvers.h"

namespace ipaq::asq {

class ConcaveLws {
 public:
  explicit ConcaveLws(const IntervalCost& cost);

  // An optimal path for penalty λ (>= 0); among equal-cost paths, whichever the algorithm meets first.
  Path solve(double penalty);

 private:
  double entry(size_t i, size_t j) const { return f_[i] + cost_(i, j) + penalty_; }
  // Tentative minima of columns first..first+count−1 over rows [base, last].
  void block_minima(size_t base, size_t last, size_t first, size_t count);

  const IntervalCost& cost_;
  double penalty_ = 0.0;
  std::vector<double> f_;         // f[j]: final for j <= finished, tentative beyond
  std::vector<uint32_t> parent_;  // argmin row of f[j]
  std::vector<uint32_t> scratch_;
  std::vector<uint32_t> smawk_workspace_;  // grows to the largest block, reused
};

}  // namespace ipaq::asq
