#include "lib/asq/concave_lws.h"

#include <algorithm>
#include <span>

#include "lib/asq/smawk.h"

namespace ipaq::asq {

ConcaveLws::ConcaveLws(const IntervalCost& cost)
    : cost_(cost), f_(cost.size()), parent_(cost.size()), scratch_(cost.size()) {}

void ConcaveLws::block_minima(size_t base, size_t last, size_t first, size_t count) {
  const size_t rows = last - base + 1;
  if (rows * count <= 64) {  // tiny blocks: direct scan beats SMAWK's bookkeeping
    for (size_t j = first; j < first + count; ++j) {
      size_t best = base;
      double best_value = entry(base, j);
      for (size_t i = base + 1; i <= last; ++i) {
        const double v = entry(i, j);
        if (v < best_value) {
          best_value = v;
          best = i;
        }
      }
      f_[j] = best_value;
      parent_[j] = static_cast<uint32_t>(best);
    }
    return;
  }
  // SMAWK rows are the columns j of E, its columns the rows i (the transpose of a Monge matrix is Monge).
  std::span<uint32_t> argmin(scratch_.data(), count);
  auto value = [&](size_t r, size_t c) { return entry(base + c, first + r); };
  smawk_row_minima(count, rows, value, argmin, smawk_workspace_);
  for (size_t r = 0; r < count; ++r) {
    f_[first + r] = value(r, argmin[r]);
    parent_[first + r] = static_cast<uint32_t>(base + argmin[r]);
  }
}

Path ConcaveLws::solve(double penalty) {
  penalty_ = penalty;
  const size_t n = cost_.size();
  f_[0] = 0.0;
  // Invariant: f[0..finished] final; for j in (finished, tentative_end], f[j] = min over rows
  // i <= finished; rows below `base` are beaten by some row in [base, finished] at every j > finished.
  size_t finished = 0, base = 0, tentative_end = 0;
  while (finished < n - 1) {
    if (tentative_end == finished) {
      // Block as wide as the live rows (Wilber's balance between SMAWK work and invalidation risk).
      const size_t count = std::min(finished - base + 1, n - 1 - finished);
      block_minima(base, finished, finished + 1, count);
      tentative_end = finished + count;
    }
    const size_t r = ++finished;  // f[r] was a minimum over all rows < r: final. Row r is now known.
    if (tentative_end == r) continue;
    if (entry(r, r + 1) < f_[r + 1]) {
      // Row r beats every older row at r+1, hence (Monge) at every later column.
      base = r;
      tentative_end = r;
    } else if (entry(r, tentative_end) < f_[tentative_end]) {
      // Row r wins on a suffix [q, tentative_end]; tentative values before q stand.
      size_t lo = r + 2, hi = tentative_end;
      while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (entry(r, mid) < f_[mid]) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      tentative_end = lo - 1;
      base = r;
    }
    // else: row r wins nowhere up to tentative_end; it stays a candidate for later blocks.
  }
  Path reversed{static_cast<uint32_t>(n - 1)};
  while (reversed.back() != 0) reversed.push_back(parent_[reversed.back()]);
  return Path(reversed.rbegin(), reversed.rend());
}

}  // namespace ipaq::asq
