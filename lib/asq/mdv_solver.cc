// Worst-case inner-product objective ("MDV"): minimise the maximum per-coordinate SQ variance.
//
// Decision procedure for a bound v: levels go left to right, greedily as far as allowed. From a level
// q, a point x > q stays within v iff the next level q' satisfies (q' − x)(x − q) <= v, i.e.
// q' <= h(x) = x + v/(x − q); so the farthest next level is min over data x > q of h(x) (points past
// that minimum do not lie between q and q', since h(x) >= x). h is convex on x > q with its minimum
// at q + √v, so only the two data points around q + √v matter: O(log d) per level. Moving a level
// right only relaxes the constraints of later points, so greedy uses the fewest levels (standard
// exchange argument), and v is feasible with s levels iff greedy needs <= s. The smallest feasible v
// is found by bisection down to relative width 1e-13; the returned levels are greedy's at the
// feasible end, and the reported cost is their exact maximum variance.
#include <algorithm>
#include <cmath>

#include "lib/asq/asq_solver.h"
#include "lib/asq/solve_support.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq::asq {
namespace {

// Greedy levels for bound v; stops (returning more than `limit` levels) once `limit` is exceeded.
std::vector<double> greedy_levels(std::span<const double> x, double v, size_t limit) {
  std::vector<double> levels{x.front()};
  const double last = x.back();
  double q = x.front();
  while (levels.size() <= limit) {
    const double target = q + std::sqrt(v);
    auto it = std::lower_bound(x.begin(), x.end(), target);
    double next = INFINITY;
    auto consider = [&](std::span<const double>::iterator p) {
      if (p != x.end() && *p > q) next = std::min(next, *p + v / (*p - q));
    };
    consider(it);
    if (it != x.begin()) consider(it - 1);
    if (next >= last) {
      levels.push_back(last);
      return levels;
    }
    if (!(next > q)) {  // v too small to make progress at double resolution
      levels.resize(limit + 1, last);
      return levels;
    }
    levels.push_back(next);
    q = next;
  }
  return levels;
}

}  // namespace

Solution solve_min_max_variance(std::span<const double> sorted_x, size_t s) {
  IPAQ_CHECK_ARG(!sorted_x.empty(), "asq mdv: empty input");
  IPAQ_CHECK_ARG(s >= 2, "asq mdv: s=", s, " levels; at least 2 are needed");
  check_finite(sorted_x.data(), sorted_x.size(), "asq mdv: input");
  Solution out;
  for (size_t i = 0; i < sorted_x.size(); ++i) {
    if (i > 0) {
      IPAQ_CHECK_ARG(sorted_x[i - 1] <= sorted_x[i], "asq mdv: input is not sorted ascending (x[", i - 1,
                     "] = ", sorted_x[i - 1], " > x[", i, "] = ", sorted_x[i], ")");
    }
    if (out.levels.empty() || sorted_x[i] != out.levels.back()) out.levels.push_back(sorted_x[i]);
  }
  if (out.levels.size() <= s) return out;  // every distinct value is a level: variance 0

  double infeasible = 0.0;
  double feasible = 0.0;  // s = 2 levels (the ends) give max (x_d − x)(x − x_1), always feasible
  for (double v : sorted_x) feasible = std::max(feasible, (sorted_x.back() - v) * (v - sorted_x.front()));
  while (feasible - infeasible > 1e-13 * feasible) {
    const double mid = infeasible + (feasible - infeasible) / 2;
    if (mid <= infeasible || mid >= feasible) break;
    if (greedy_levels(sorted_x, mid, s).size() <= s) {
      feasible = mid;
    } else {
      infeasible = mid;
    }
  }
  out.levels = greedy_levels(sorted_x, feasible, s);
  fill_levels(out.levels, s);  // greedy may finish early; extra levels only lower variances
  out.cost = sq_max_variance(sorted_x, out.levels);
  return out;
}

}  // namespace ipaq::asq
