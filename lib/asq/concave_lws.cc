#include "lib/asq/concave_lws.h"

#include <emmintrin.h>

#include <algorithm>

namespace ipaq::asq {

RowEnvelope::RowEnvelope(const IntervalCost& cost, size_t capacity)
    : cost_(cost), row_(capacity), start_(capacity) {}

namespace {

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

}  // namespace

void RowEnvelope::add(size_t j, size_t from) {
  if (head_ == tail_) {
    push(j, from);
    return;
  }
  const size_t end = last_ + 1;  // "never"
  const double* psi = cost_.psi();
  const double xj = cost_.x(j), psij = psi[j], weight_j = cost_.weight_between(0, j);
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
    // S2(c) = (ψ_c − ψ_j) − (x_c − x_j)·α'_j (interval_cost.h), so the right side is
    // (x_c − x_j)·slope + dx·(ψ_c − ψ_j), slope = S1 − dx·α'_j: two loads and four operations per
    // column. The rounding of the large terms (~eps·(x_c − x_j)·dx·α'_j) can only flip a test where
    // the two rows differ by about that much, and then either row is optimal to that accuracy.
    const double slope = s1 - dx * weight_j;
    auto beats = [&](size_t c) { return margin < (cost_.x(c) - xj) * slope + dx * (psi[c] - psij); };
    // The first four columns of b's run tested at once, without branches (the new row usually takes
    // over 1–3 columns after `first`); columns past last_ do not count.
    unsigned wins = beats_four(cost_.x_at(first), psi + first, xj, psij, slope, dx, margin);
    if (last_ - first < 3) wins &= (1u << (last_ - first + 1)) - 1;
    if (wins & 1u) {  // b is beaten on all of its run: drop it, try the row before
      if (--tail_ == head_) {
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
