#include "lib/asq/concave_lws.h"

#include <algorithm>

namespace ipaq::asq {

RowEnvelope::RowEnvelope(const IntervalCost& cost, size_t capacity)
    : cost_(cost), row_(capacity), start_(capacity) {}

void RowEnvelope::add(size_t j, size_t from) {
  if (head_ == tail_) {
    push(j, from);
    return;
  }
  const size_t end = last_ + 1;  // "never"
  const double xj = cost_.x(j);
  while (true) {
    const size_t b = row_[tail_ - 1];
    const size_t first = std::max<size_t>(start_[tail_ - 1], from);
    const double xb = cost_.x(b), dx = xj - xb;
    // Row j beats row b at column c iff margin < (x_c − x_j)·S1 + (x_j − x_b)·S2(c) (header comment),
    // margin = g[j] − g[b] − C(b, j). C(b, b+1) = 0 exactly (no point inside).
    double margin, s1;
    if (b + 1 == j) {
      margin = g_[j] - g_[b];
      s1 = cost_.weight_between(b, j) * dx;
    } else {
      margin = g_[j] - g_[b] - cost_(b, j);
      s1 = std::max(0.0, cost_.weighted_sum_between(b, j) - xb * cost_.weight_between(b, j));
    }
    auto beats = [&](size_t c) {
      const double xc = cost_.x(c);
      return margin < (xc - xj) * s1 + dx * (xc * cost_.weight_between(j, c) - cost_.weighted_sum_between(j, c));
    };
    // The first two columns of b's run tested together (no branch between the tests): the new row
    // usually takes over 1–2 columns after `first`.
    size_t lose = first, win = end;
    bool beaten;
    if (first < last_) {
      const bool t0 = beats(first), t1 = beats(first + 1);
      beaten = t0;
      win = t1 ? first + 1 : end;
      lose = t1 ? first : first + 1;
    } else {
      beaten = beats(first);
    }
    if (beaten) {  // b is beaten on all of its run: drop it, try the row before
      if (--tail_ == head_) {
        push(j, from);
        return;
      }
      continue;
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

ConcaveLws::ConcaveLws(const IntervalCost& cost)
    : cost_(cost), f_(cost.size()), parent_(cost.size()), envelope_(cost, cost.size()) {}

Path ConcaveLws::solve(double penalty) {
  const size_t n = cost_.size();
  f_[0] = 0.0;
  envelope_.reset(f_.data(), n - 1);
  envelope_.add(0, 1);
  for (size_t j = 1; j < n; ++j) {
    const size_t i = envelope_.best(j);
    f_[j] = f_[i] + cost_(i, j) + penalty;
    parent_[j] = static_cast<uint32_t>(i);
    if (j + 1 < n) envelope_.add(j, j + 1);
  }
  Path reversed{static_cast<uint32_t>(n - 1)};
  while (reversed.back() != 0) reversed.push_back(parent_[reversed.back()]);
  return Path(reversed.rbegin(), reversed.rend());
}

}  // namespace ipaq::asq
