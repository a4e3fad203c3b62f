// Concave least-weight subsequence (LWS) with a per-link penalty.
//
// Solves f[0] = 0, f[j] = min_{i<j} f[i] + C(i, j) + λ over the points of an IntervalCost, i.e. the
// cheapest path 0 -> n−1 when every interval costs λ extra. Because C is Monge, a later row i' > i
// of E(i, j) = f[i] + C(i, j) that beats row i at some column beats it at every later column, so the
// row minimal at column j is non-decreasing in j and each row is minimal on one run of columns.
// The candidate-list algorithm (Galil–Giancarlo, Hirschberg–Larmore) keeps those runs in a deque:
// f[j] comes from the row owning column j; the finished row j then replaces, from the back, the rows
// it beats at the start of their runs, and takes over from the first column where it beats the last
// row left (the first four columns of its run tested at once, without branches — on ASQ inputs the
// crossover is there ~90 % of the time — then galloping outwards from a guess: the previous crossover's
// distance from its run start). Rows left behind at the front are dropped. Time O(n log n) worst case;
// on ASQ inputs each row costs one interval cost, one four-column test and ~1 further crossover test,
// also with intervals of 10^5 points (measured 2–3× faster per pass than Wilber's online SMAWK, which
// this replaced, at d = 2^16 … 2^24 and s = 8 … 256; bench/RESULTS.md).
// Crossover test of rows b < j at column c > j, from C(b, c) − C(j, c) = C(b, j) + (x_c − x_j)·S1 +
// (x_j − x_b)·S2(c) with S1 = Σ_{b<l<=j} w_l (x_l − x_b) and S2(c) = Σ_{j<l<c} w_l (x_c − x_l)
// = (ψ_c − ψ_j) − (x_c − x_j)·α'_j (IntervalCost::psi()): per column two loads and four operations.
// No dependence on the number of intervals. Memory: 20 bytes per point, reused across calls (solve()
// may be called with several λ). Not thread-safe (owns scratch buffers); the IntervalCost must outlive
// the object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/asq/exact_solvers.h"

namespace ipaq::asq {

// Lower envelope of the rows r of E(r, c) = g[r] + C(r, c) (columns c > r), rows added in increasing
// order once g[r] is final, columns queried in increasing order: the candidate list above. Serves the
// LWS pass and the layers of a windowed layered DP (wilber_solver.cc). Not thread-safe.
class RowEnvelope {
 public:
  // capacity: the most rows added between two resets.
  RowEnvelope(const IntervalCost& cost, size_t capacity);

  // Empty, over columns up to `last`; g is indexed by row and must outlive the use.
  void reset(const double* g, size_t last) {
    g_ = g;
    last_ = last;
    head_ = tail_ = 0;
    gap_ = 2;
  }
  // Adds row r for the columns >= first (first > r, and >= every column queried so far).
  void add(size_t r, size_t first);
  // The row minimal at column c among the rows added (c one more than the previous query's, or the
  // first query after reset; some row must have been added with first <= c). Among equal rows the
  // earlier one. Runs are non-empty and consecutive, so at most the next row starts at c.
  size_t best(size_t c) {
    head_ += (head_ + 1 < tail_ && start_[head_ + 1] <= c) ? 1 : 0;
    return row_[head_];
  }

 private:
  void push(size_t r, size_t start) {
    row_[tail_] = static_cast<uint32_t>(r);
    start_[tail_++] = static_cast<uint32_t>(start);
  }

  const IntervalCost& cost_;
  const double* g_ = nullptr;
  size_t last_ = 0, head_ = 0, tail_ = 0;
  size_t gap_ = 2;  // distance of the last crossover from the start of the run it cut
  std::vector<uint32_t> row_;    // rows [head_, tail_), each owning columns [start_[k], start_[k+1])
  std::vector<uint32_t> start_;
};

class ConcaveLws {
 public:
  explicit ConcaveLws(const IntervalCost& cost);

  // An optimal path for penalty λ (>= 0); among equal-cost rows the earlier one is kept.
  Path solve(double penalty);
  // f[j] of the last solve: the least penalised cost of a path 0 -> j.
  const std::vector<double>& penalised_costs() const { return f_; }

 private:
  const IntervalCost& cost_;
  std::vector<double> f_;         // f[j]
  std::vector<uint32_t> parent_;  // argmin row of f[j]
  RowEnvelope envelope_;
};

}  // namespace ipaq::asq
