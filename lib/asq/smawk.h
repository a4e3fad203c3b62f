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
// Memory: n_cols + 2·n_rows + 64 entries of scratch (one allocation, or none with a reused
// workspace), recursion depth log2(n_rows). Reentrant; `value` must be
// callable concurrently only if the caller runs several SMAWKs in parallel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace ipaq::asq {

namespace smawk_detail {

// Rows at recursion depth `depth` are r = (i << depth) + (1 << depth) − 1, so they are never stored.
// The candidate columns of this depth are cols[0, n_cols); the columns kept by REDUCE are written to
// `space` and become the next depth's candidates, which write after them: depth t keeps at most
// ⌈n_rows / 2^t⌉ columns, so 2·n_rows + 64 entries of space suffice for all depths.
template <typename Value>
void solve(size_t n_rows, size_t depth, const uint32_t* cols, size_t n_cols, uint32_t* space,
           const Value& value, std::span<uint32_t> argmin) {
  const size_t first = (size_t{1} << depth) - 1, stride = size_t{1} << depth;
  if (first >= n_rows) return;
  const size_t count = (n_rows - first + stride - 1) / stride;
  auto row = [&](size_t i) { return first + i * stride; };

  // REDUCE: keep at most `count` columns that can hold a leftmost row minimum. The column at stack
  // position p is dominated in rows above position p.
  uint32_t* kept = space;
  size_t n_kept = 0;
  for (size_t k = 0; k < n_cols; ++k) {
    const uint32_t c = cols[k];
    while (n_kept > 0) {
      const size_t r = row(n_kept - 1);
      if (!(value(r, kept[n_kept - 1]) > value(r, c))) break;
      --n_kept;
    }
    if (n_kept < count) kept[n_kept++] = c;
  }

  // Recurse on the odd positions, then INTERPOLATE the even ones between their neighbours' minima.
  solve(n_rows, depth + 1, kept, n_kept, kept + n_kept, value, argmin);
  size_t ci = 0;
  for (size_t i = 0; i < count; i += 2) {
    const size_t r = row(i);
    const uint32_t last = i + 1 < count ? argmin[row(i + 1)] : kept[n_kept - 1];
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

// value(r, c) returns a totally ordered type (double); see the contract above. `workspace` is scratch
// (resized to n_cols + 2·n_rows + 64 entries if smaller): pass the same vector to repeated calls to
// avoid allocating.
template <typename Value>
void smawk_row_minima(size_t n_rows, size_t n_cols, const Value& value, std::span<uint32_t> argmin,
                      std::vector<uint32_t>& workspace) {
  if (n_rows == 0 || n_cols == 0) return;
  const size_t need = n_cols + 2 * n_rows + 64;
  if (workspace.size() < need) workspace.resize(need);
  for (size_t c = 0; c < n_cols; ++c) workspace[c] = static_cast<uint32_t>(c);
  smawk_detail::solve(n_rows, 0, workspace.data(), n_cols, workspace.data() + n_cols, value, argmin);
}

}  // namespace ipaq::asq
