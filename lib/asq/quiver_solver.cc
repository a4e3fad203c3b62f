// QUIVER (Ben Basat et al., NeurIPS 2024) and its accelerated variant: the ZipML layers computed with
// SMAWK row minima. Both are the same layered DP over a Monge "link" cost; only the link differs:
// one interval C(k, j) (QUIVER) or two intervals with the best middle level in closed form (accel).
#include <limits>

#include "lib/asq/exact_solvers.h"
#include "lib/asq/smawk.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq::asq {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Minimises Σ link(p_{t−1}, p_t) over paths 0 = p_0 < ... < p_L = n−1 with exactly L = `links`
// links (n >= 2, 1 <= L <= n−1, link Monge). Returns the path of link endpoints.
template <typename Link>
Path layered_dp(size_t n, size_t links, const Link& link) {
  const size_t table_bytes = quiver_table_bytes(n, links);
  IPAQ_CHECK_ARG(table_bytes <= kMaxQuiverTableBytes, "asq quiver: d=", n, " with ", links,
                 " DP layers needs ", table_bytes >> 20, " MiB of argmin tables (limit ",
                 kMaxQuiverTableBytes >> 20, " MiB); use solver wilber or auto");
  // Layer t (1-based) holds the best cost of t links ending at j; with L links in total, layer t
  // only needs j in [t, n−1−(L−t)] and k in [t−1, n−2−(L−t)]: row/column offsets keep tables n−L wide.
  const size_t width = n - links;
  std::vector<double> prev(width), cur(width);
  for (size_t r = 0; r < width; ++r) prev[r] = link(0, r + 1);
  std::vector<uint32_t> parents(checked_mul(links > 2 ? links - 2 : 0, width, "asq quiver tables"));
  std::vector<uint32_t> workspace;  // SMAWK scratch, shared by all layers
  for (size_t t = 2; t < links; ++t) {
    std::span<uint32_t> argmin(parents.data() + (t - 2) * width, width);
    // Row r is j = r + t, column c is k = c + t − 1; k < j  <=>  c <= r.
    auto value = [&](size_t r, size_t c) { return c <= r ? prev[c] + link(c + t - 1, r + t) : kInf; };
    smawk_row_minima(width, width, value, argmin, workspace);
    for (size_t r = 0; r < width; ++r) cur[r] = value(r, argmin[r]);
    prev.swap(cur);
  }
  Path path{static_cast<uint32_t>(n - 1)};
  if (links >= 2) {
    // Last layer: only j = n − 1, a linear scan over k in [L−1, n−2] (columns c = k − (L−1)).
    size_t best = 0;
    double best_value = kInf;
    for (size_t c = 0; c < width; ++c) {
      const double v = prev[c] + link(c + links - 1, n - 1);
      if (v < best_value) {
        best_value = v;
        best = c;
      }
    }
    size_t k = best + links - 1;
    path.push_back(static_cast<uint32_t>(k));
    for (size_t t = links - 1; t >= 2; --t) {
      const size_t c = parents[(t - 2) * width + (k - t)];
      k = c + t - 1;
      path.push_back(static_cast<uint32_t>(k));
    }
  }
  path.push_back(0);
  return Path(path.rbegin(), path.rend());
}

}  // namespace

size_t quiver_table_bytes(size_t n, size_t layers) {
  return layers > 2 ? (layers - 2) * (n - layers) * sizeof(uint32_t) : 0;
}

Path solve_quiver_path(const IntervalCost& cost, size_t intervals) {
  return layered_dp(cost.size(), intervals, cost);
}

Path solve_quiver_accel_path(const IntervalCost& cost, size_t intervals) {
  const size_t n = cost.size();
  // A double link (k, j) = C(k, b) + C(b, j) with b = best_middle(k, j) (b may equal k: then the link
  // uses one interval, which never beats the optimum with all intervals, so optimality is kept).
  auto double_link = [&](size_t k, size_t j) {
    const size_t b = cost.best_middle(k, j);
    return cost(k, b) + cost(b, j);
  };
  const size_t doubles = intervals / 2;
  Path outer;
  if (intervals % 2 == 1) {
    // Odd K: the first link is a single interval. layered_dp evaluates link(0, ·) only for its first
    // layer (later layers start at k >= 1), so the SMAWK layers still see the Monge double link.
    auto first_single = [&](size_t k, size_t j) { return k == 0 ? cost(0, j) : double_link(k, j); };
    outer = layered_dp(n, doubles + 1, first_single);
  } else {
    outer = layered_dp(n, doubles, double_link);
  }
  Path path{outer.front()};
  for (size_t t = 1; t < outer.size(); ++t) {
    const size_t k = outer[t - 1], j = outer[t];
    const bool single = intervals % 2 == 1 && t == 1;
    if (!single) {
      const size_t b = cost.best_middle(k, j);
      if (b > k) path.push_back(static_cast<uint32_t>(b));
    }
    path.push_back(static_cast<uint32_t>(j));
  }
  return path;
}

double path_cost(const IntervalCost& cost, const Path& path) {
  double total = 0.0;
  for (size_t t = 1; t < path.size(); ++t) total += cost(path[t - 1], path[t]);
  return total;
}

}  // namespace ipaq::asq
