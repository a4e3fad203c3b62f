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
// on ASQ inputs each row costs ~1.4 interval costs, ~1.4 four-column tests and ~0.2 further tests,
// also with intervals of 10^5 points (measured 2–3× faster per pass than Wilber's online SMAWK, which
// this replaced, at d = 2^16 … 2^24 and s = 8 … 256; bench/RESULTS.md).
// Crossover test of rows b < j at column c > j, from C(b, c) − C(j, c) = C(b, j) + (x_c − x_j)·S1 +
// (x_j − x_b)·S2(c) with S1 = Σ_{b<l<=j} w_l (x_l − x_b) and S2(c) = Σ_{j<l<c} w_l (x_c − x_l)
// = (ψ_c − ψ_j) − (x_c − x_j)·α'_j (IntervalCost::psi()): per column two loads and four operations.
// No dependence on the number of intervals. Memory: 20 bytes per point, reused across calls (solve()
// may be called with several λ). Not thread-safe (owns scratch buffers); the IntervalCost must outlive
// the object.
#pragma once

#include <emmintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "lib/asq/exact_solvers.h"

namespace ipaq::asq {

namespace detail {

// Bit k set iff margin < (x_{c+k} − x_j)·slope + dx·(ψ_{c+k} − ψ_j), k = 0..3, with x_{c+k} = xc[k·kXStride]
// and ψ_{c+k} = psic[k] (SSE2, the x86-64 baseline; IntervalCost pads both so that any c < n can be read).
inline unsigned beats_four(const double* xc, const double* psic, double xj, double psij, double slope, double dx,
                           double margin) {
  constexpr size_t kS = IntervalCost::kXStride;
  const __m128d vxj = _mm_set1_pd(xj), vpsij = _mm_set1_pd(psij), vslope = _mm_set1_pd(slope),
                vdx = _mm_set1_pd(dx), vmargin = _mm_set1_pd(margin);
  const __m128d x01 = _mm_loadh_pd(_mm_load_sd(xc), xc + kS);
  const __m128d x23 = _mm_loadh_pd(_mm_load_sd(xc + 2 * kS), xc + 3 * kS);
  const __m128d r01 = _mm_add_pd(_mm_mul_pd(_mm_sub_pd(x01, vxj), vslope),
                                 _mm_mul_pd(vdx, _mm_sub_pd(_mm_loadu_pd(psic), vpsij)));
  const __m128d r23 = _mm_add_pd(_mm_mul_pd(_mm_sub_pd(x23, vxj), vslope),
                                 _mm_mul_pd(vdx, _mm_sub_pd(_mm_loadu_pd(psic + 2), vpsij)));
  return static_cast<unsigned>(_mm_movemask_pd(_mm_cmplt_pd(vmargin, r01))) |
         static_cast<unsigned>(_mm_movemask_pd(_mm_cmplt_pd(vmargin, r23))) << 2;
}

}  // namespace detail

// Lower envelope of the rows r of E(r, c) = g[r] + C(r, c) (columns c > r), rows added in increasing
// order once g[r] is final, columns queried in increasing order: the candidate list above. Serves the
// LWS pass and the layers of a windowed layered DP (wilber_solver.cc). A view over caller-owned row
// and run-start buffers, defined inline and specialised for the weighting (kUnitWeights must equal
// cost.unit_weights()): keep it a local of the loop that drives it, so that its state stays in
// registers (the per-row work is ~100 instructions; calls and reloads of members added half again).
template <bool kUnitWeights>
class RowEnvelope {
 public:
  // rows: room for the most rows added between two resets; starts: one more (a sentinel follows the
  // last row's start, so that best() needs no bounds test and no branch).
  RowEnvelope(const IntervalCost& cost, uint32_t* rows, uint32_t* starts)
      : cost_(cost), psi_(cost.psi()), row_(rows), start_(starts) {}

  // Empty, over columns up to `last`; g is indexed by row and must outlive the use.
  void reset(const double* g, size_t last) {
    g_ = g;
    last_ = last;
    head_ = tail_ = 0;
    gap_ = 2;
    start_[0] = kNoStart;
  }
  // Adds row r for the columns >= first (first > r, first <= last, and >= every column queried so far).
  [[gnu::always_inline]] inline void add(size_t r, size_t first);
  // The row minimal at column c among the rows added (c one more than the previous query's, or the
  // first query after reset; some row must have been added with first <= c). Among equal rows the
  // earlier one. Runs are non-empty and consecutive, so at most the next row starts at c.
  // Without a branch: the head moves every one to three columns on ASQ inputs, in no pattern.
  size_t best(size_t c) {
    head_ += start_[head_ + 1] <= c;
    return row_[head_];
  }

 private:
  static constexpr uint32_t kNoStart = UINT32_MAX;  // start_[tail_]: beyond every column

  void push(size_t r, size_t start) {
    row_[tail_] = static_cast<uint32_t>(r);
    start_[tail_++] = static_cast<uint32_t>(start);
    start_[tail_] = kNoStart;
  }

  const IntervalCost& cost_;
  const double* psi_;
  const double* g_ = nullptr;
  size_t last_ = 0, head_ = 0, tail_ = 0;
  size_t gap_ = 2;   // distance of the last crossover from the start of the run it cut
  uint32_t* row_;    // rows [head_, tail_), each owning columns [start_[k], start_[k+1])
  uint32_t* start_;
};

template <bool kUnitWeights>
void RowEnvelope<kUnitWeights>::add(size_t j, size_t from) {
  if (head_ == tail_) {
    push(j, from);
    return;
  }
  const size_t end = last_ + 1;  // "never"
  const double xj = cost_.x(j), psij = psi_[j], weight_j = cost_.template weight_between<kUnitWeights>(0, j);
  while (true) {
    const size_t b = row_[tail_ - 1];
    const size_t first = std::max<size_t>(start_[tail_ - 1], from);
    const double xb = cost_.x(b), dx = xj - xb;
    // Row j beats row b at column c iff margin < (x_c − x_j)·S1 + (x_j − x_b)·S2(c) (header comment),
    // margin = g[j] − g[b] − C(b, j). C(b, b+1) = 0 exactly (no point inside).
    double margin, s1;
    if (b + 1 == j) {
      margin = g_[j] - g_[b];
      s1 = cost_.template weight_between<kUnitWeights>(b, j) * dx;
    } else {
      margin = g_[j] - g_[b] - cost_.template cost<kUnitWeights>(b, j);
      s1 = std::max(0.0, cost_.weighted_sum_between(b, j) - xb * cost_.template weight_between<kUnitWeights>(b, j));
    }
    // S2(c) = (ψ_c − ψ_j) − (x_c − x_j)·α'_j (interval_cost.h), so the right side is
    // (x_c − x_j)·slope + dx·(ψ_c − ψ_j), slope = S1 − dx·α'_j: two loads and four operations per
    // column. The rounding of the large terms (~eps·(x_c − x_j)·dx·α'_j) can only flip a test where
    // the two rows differ by about that much, and then either row is optimal to that accuracy.
    const double slope = s1 - dx * weight_j;
    auto beats = [&](size_t c) { return margin < (cost_.x(c) - xj) * slope + dx * (psi_[c] - psij); };
    // The first four columns of b's run tested at once, without branches (the new row usually takes
    // over 1–3 columns after `first`); columns past last_ do not count.
    unsigned wins = detail::beats_four(cost_.x_at(first), psi_ + first, xj, psij, slope, dx, margin);
    if (last_ - first < 3) wins &= (1u << (last_ - first + 1)) - 1;
    if (wins & 1u) {  // b is beaten on all of its run: drop it, try the row before
      start_[--tail_] = kNoStart;
      if (tail_ == head_) {
        push(j, from);
        return;
      }
      continue;
    }
    size_t lose = std::min(first + 3, last_), win = end;
    if (wins != 0) {
      win = first + static_cast<size_t>(__builtin_ctz(wins));
      lose = win - 1;
    }
    if (win == end && lose < last_) {
      // j loses up to `lose`. Guess the crossover at the last insertion's distance from its run start
      // (with long intervals the distances are long but change slowly), then gallop outwards from it.
      const size_t guess = std::min(std::max(first + gap_, lose + 1), last_);
      if (beats(guess)) {
        win = guess;
        for (size_t step = 1; win - lose > step; step *= 2) {
          if (!beats(win - step)) {
            lose = win - step;
            break;
          }
          win -= step;
        }
      } else {
        lose = guess;
        for (size_t step = 1; lose < last_; step *= 2) {
          const size_t c = std::min(lose + step, last_);
          if (beats(c)) {
            win = c;
            break;
          }
          lose = c;
        }
      }
    }
    if (win == end) return;  // j never beats b (the best row of every later column): never minimal
    while (win - lose > 1) {
      const size_t mid = lose + (win - lose) / 2;
      (beats(mid) ? win : lose) = mid;
    }
    gap_ = win - first;
    push(j, win);
    return;
  }
}

class ConcaveLws {
 public:
  explicit ConcaveLws(const IntervalCost& cost);

  // An optimal path for penalty λ (>= 0); among equal-cost rows the earlier one is kept.
  Path solve(double penalty);
  // f[j] of the last solve: the least penalised cost of a path 0 -> j.
  const std::vector<double>& penalised_costs() const { return f_; }

 private:
  template <bool kUnitWeights>
  void run(double penalty);

  const IntervalCost& cost_;
  std::vector<double> f_;  // f[j]
  // argmin row of f[j], and the envelope's buffers: written before read, so not cleared
  std::unique_ptr<uint32_t[]> parent_, rows_, starts_;
};

}  // namespace ipaq::asq
