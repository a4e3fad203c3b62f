// SMAWK (Aggarwal, Klawe, Moran, Shor, Wilber 1987): the leftmost minimum of every row of a totally
// monotone matrix in O(rows + cols) lookups.
//
// The matrix is implicit: value(r, c) for r in [0, n_rows), c in [0, n_cols). Totally monotone means:
// for r1 < r2 and c1 < c2, value(r1, c1) > value(r1, c2) implies value(r2, c1) > value(r2, c2); every
// Monge matrix is (also with +inf entries above a staircase, as in the ASQ dynamic programs). Then
// the leftmost row minima have non-decreasing column indexes. On a matrix that violates the property
// (e.g. by floating-point noise) the result is some column per row, not necessarily the minimum.
//
// Output: argmin[r] = column of the leftmost minimum of row r (argmin.size() == n_rows).
// Memory: O(n_rows + n_cols) scratch, recursion depth log2(n_rows). Reentrant; `value` must be
// callable concurrently only if the caller runs several SMAWKs in parallel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ipaq::asq {

namespace smawk_detail {

// Rows at recursion depth `depth` are r = (i << depth) + (1 << depth) − 1, so they are never stored.
template <typename Value>
void solve(size_t n_rows, size_t depth, std::vector<uint32_t>& cols, const Value& value,
           std::span<uint32_t> argmin) {
  const size_t first = (size_t{1} << depth) - 1, stride = size_t{1} << depth;
  if (first >= n_rows) return;
  const size_t count = (n_rows - first + stride - 1) / stride;
  auto row = [&](size_t i) { return first + i * stride; };

  // REDUCE: keep at most `count` columns that can hold a leftmost row minimum. The column at stack
  // position p is dominated in rows above position p.
  std::vector<uint32_t> kept;
  kept.reserve(count < cols.size() ? count : cols.size());
  for (uint32_t c : cols) {
    while (!kept.empty()) {
      const size_t r = row(kept.size() - 1);
      if (!(value(r, kept.back()) > value(r, c))) break;
      kept.pop_back();
    }
    if (kept.size() < count) kept.push_back(c);
  }
  cols.clear();
  cols.shrink_to_fit();

  // Recurse on the odd positions, then INTERPOLATE the even ones between their neighbours' minima.
  std::vector<uint32_t> sub = kept;
  solve(n_rows, depth + 1, sub, value, argmin);
  size_t ci = 0;
  for (size_t i = 0; i < count; i += 2) {
    const size_t r = row(i);
    const uint32_t last = i + 1 < count ? argmin[row(i + 1)] : kept.back();
    uint32_t best = kept[ci];
    auto best_value = value(r, best);
    while (kept[ci] != last) {
      ++ci;
      const auto v = value(r, kept[ci]);
      if (v < best_value) {
        best_value = v;
        best = kept[ci];
      }
    }
    argmin[r] = best;
  }
}

}  // namespace smawk_detail

// value(r, c) returns a totally ordered type (double); see the contract above.
template <typename Value>
void smawk_row_minima(size_t n_rows, size_t n_cols, const Value& value, std::span<uint32_t> argmin) {
  if (n_rows == 0 || n_cols == 0) return;
  std::vector<uint32_t> cols(n_cols);
  for (size_t c = 0; c < n_cols; ++c) cols[c] = static_cast<uint32_t>(c);
  smawk_detail::solve(n_rows, 0, cols, value, argmin);
}

}  // namespace ipaq::asq
