#include "lib/asq/concave_lws.h"

#include <algorithm>

namespace ipaq::asq {

ConcaveLws::ConcaveLws(const IntervalCost& cost)
    : cost_(cost), f_(cost.size()), parent_(cost.size()), row_(cost.size()), start_(cost.size()) {}

void ConcaveLws::insert_row(size_t j, size_t head, size_t& tail) {
  const size_t n = cost_.size();
  const double xj = cost_.x(j);
  while (true) {
    const size_t b = row_[tail - 1];
    const size_t first = std::max<size_t>(start_[tail - 1], j + 1);
    const double xb = cost_.x(b), dx = xj - xb;
    // Row j beats row b at column c iff margin < (x_c − x_j)·S1 + (x_j − x_b)·S2(c) (header comment),
    // margin = f[j] − f[b] − C(b, j). C(b, b+1) = 0 exactly (no point inside).
    double margin, s1;
    if (b + 1 == j) {
      margin = f_[j] - f_[b];
      s1 = cost_.weight_between(b, j) * dx;
    } else {
      margin = f_[j] - f_[b] - cost_(b, j);
      s1 = std::max(0.0, cost_.weighted_sum_between(b, j) - xb * cost_.weight_between(b, j));
    }
    auto beats = [&](size_t c) {
      const double xc = cost_.x(c);
      return margin < (xc - xj) * s1 + dx * (xc * cost_.weight_between(j, c) - cost_.weighted_sum_between(j, c));
    };
    if (beats(first)) {  // b is beaten on all of its run: drop it, try the row before
      if (--tail == head) {
        row_[tail] = static_cast<uint32_t>(j);
        start_[tail++] = static_cast<uint32_t>(j + 1);
        return;
      }
      continue;
    }
    // j loses at `lose`; gallop to a column where it wins (or learn that it never does).
    size_t lose = first, win = n;
    for (size_t step = 1;; step *= 2) {
      const size_t c = first + step;
      if (c >= n - 1) {
        if (lose < n - 1 && beats(n - 1)) win = n - 1;
        break;
      }
      if (beats(c)) {
        win = c;
        break;
      }
      lose = c;
    }
    if (win == n) return;  // j never beats b (the best row of every later column): never minimal
    while (win - lose > 1) {
      const size_t mid = lose + (win - lose) / 2;
      (beats(mid) ? win : lose) = mid;
    }
    row_[tail] = static_cast<uint32_t>(j);
    start_[tail++] = static_cast<uint32_t>(win);
    return;
  }
}

Path ConcaveLws::solve(double penalty) {
  const size_t n = cost_.size();
  f_[0] = 0.0;
  size_t head = 0, tail = 1;
  row_[0] = 0;
  start_[0] = 1;
  for (size_t j = 1; j < n; ++j) {
    // Runs are non-empty and consecutive, so at most the next row starts at j.
    head += (head + 1 < tail && start_[head + 1] == j) ? 1 : 0;
    const size_t i = row_[head];
    f_[j] = f_[i] + cost_(i, j) + penalty;
    parent_[j] = static_cast<uint32_t>(i);
    if (j + 1 < n) insert_row(j, head, tail);
  }
  Path reversed{static_cast<uint32_t>(n - 1)};
  while (reversed.back() != 0) reversed.push_back(parent_[reversed.back()]);
  return Path(reversed.rbegin(), reversed.rend());
}

}  // namespace ipaq::asq
