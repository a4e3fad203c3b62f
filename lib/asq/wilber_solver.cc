// Lagrangian + Wilber exact ASQ solver (Singal & White, "Inner Product Aware Quantization").
//
// OPT(k), the optimal cost with k intervals, is convex in k (C is Monge). For a penalty λ the concave
// LWS (concave_lws.h) returns a path minimising cost + λ·links, i.e. a vertex of the lower convex hull
// of {(k, OPT(k))}. We keep two hull points a (k_a > K links) and b (k_b < K) and probe λ = the slope
// between them: either a new hull point strictly between them comes back (it replaces a or b), or
// every point on segment [b, a] is optimal for that λ — the tie case, where no λ yields exactly K
// links. Then a K-link path of the same penalised cost is spliced from the two paths (below).
// The first few probes use a model of OPT instead of the secant to land near K quickly; their
// results are hull vertices too, so they only narrow the bracket (never decide a tie).
#include <cmath>
#include <limits>

#include "lib/asq/concave_lws.h"
#include "lib/asq/exact_solvers.h"
#include "lib/core/error.h"

namespace ipaq::asq {
namespace {

struct HullPoint {
  Path path;
  double cost = 0.0;
  double lambda = 0.0;  // a penalty for which this path is optimal (0 and +inf for the start points)
  size_t links() const { return path.size() - 1; }
};

// Splices a path with exactly K links from paths p1 (k1 < K links) and p2 (k2 > K links) that are both
// optimal for the same penalty λ. For a link (v_{t−1}, v_t) of p2 nested in a link (u_a, u_{a+1}) of
// p1, the quadrangle inequality gives
//   C(v_{t−1}, u_{a+1}) + C(u_a, v_t) <= C(u_a, u_{a+1}) + C(v_{t−1}, v_t),
// so the crossed paths A = v_0..v_{t−1}, u_{a+1}..u_{k1} and B = u_0..u_a, v_t..v_{k2} have total
// penalised cost <= that of p1 + p2 = 2·OPT_λ (link counts sum to k1 + k2), hence both are optimal.
// A has (t − a(t)) + k1 − 1 links, where a(t) is the p1 link containing v_t. g(t) = t − a(t) starts
// at 0, rises by at most 1 per step and ends >= k2 − k1, so a first t with g(t) = K − k1 + 1 exists,
// and there a(t − 1) = a(t): the link (v_{t−1}, v_t) is nested in p1's link a(t). A has K links and,
// being optimal for λ with K links, costs OPT(K).
Path splice(const Path& p1, const Path& p2, size_t intervals) {
  const size_t k1 = p1.size() - 1, k2 = p2.size() - 1;
  const long target = static_cast<long>(intervals - k1) + 1;
  size_t a = 0;
  for (size_t t = 1; t < k2; ++t) {
    while (a + 1 < k1 && p1[a + 1] <= p2[t]) ++a;
    if (static_cast<long>(t) - static_cast<long>(a) == target) {
      Path out(p2.begin(), p2.begin() + t);
      out.insert(out.end(), p1.begin() + a + 1, p1.end());
      return out;
    }
  }
  throw Error("asq wilber: internal error, no nested link to splice (paths not both optimal)");
}

}  // namespace

Path solve_wilber_path(const IntervalCost& cost, size_t intervals) {
  const size_t n = cost.size();
  HullPoint b{{0, static_cast<uint32_t>(n - 1)}, cost(0, n - 1), std::numeric_limits<double>::infinity()};
  if (intervals <= 1) return b.path;
  // a: a level at every distinct value costs 0 = the minimum over any number of links.
  HullPoint a;
  a.path.push_back(0);
  for (size_t i = 1; i < n; ++i) {
    if (cost.x(i) != cost.x(a.path.back())) a.path.push_back(static_cast<uint32_t>(i));
  }
  if (a.path.size() == 1) {
    a.path.push_back(static_cast<uint32_t>(n - 1));
  } else {
    a.path.back() = static_cast<uint32_t>(n - 1);  // same value as the first index of the last run
  }
  a.cost = path_cost(cost, a.path);
  if (a.links() <= intervals) return a.path;

  ConcaveLws lws(cost);
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  const double k_target = static_cast<double>(intervals);
  int model_probes = 8;
  while (true) {
    // Probe choice: while model probes remain, a model guess (below); then the slope of [b, a].
    // Otherwise (and always for the final tie decision): the slope of segment [b, a].
    const double secant = std::max(0.0, (b.cost - a.cost) / static_cast<double>(a.links() - b.links()));
    double lambda = secant;
    const bool use_model = model_probes > 0;
    if (use_model) {
      --model_probes;
      if (a.lambda > 0 && std::isfinite(b.lambda)) {
        // Both ends came from probes: links(λ) is close to a power law, interpolate log k in log λ.
        const double t = std::log(k_target / a.links()) / std::log(static_cast<double>(b.links()) / a.links());
        lambda = std::exp(std::log(a.lambda) + t * (std::log(b.lambda) - std::log(a.lambda)));
      } else {
        // OPT(k) ≈ A·k^−2 (high-resolution law of ASQ) through b; λ = its marginal gain at K.
        const double scale = b.cost * static_cast<double>(b.links()) * static_cast<double>(b.links());
        lambda = scale * (1.0 / ((k_target - 0.5) * (k_target - 0.5)) - 1.0 / ((k_target + 0.5) * (k_target + 0.5)));
      }
    }
    HullPoint h{lws.solve(lambda), 0.0, lambda};
    if (h.links() == intervals) return h.path;
    h.cost = path_cost(cost, h.path);
    const bool inside = h.links() > b.links() && h.links() < a.links();
    if (use_model) {
      // Any optimal path is a hull vertex; keep it if it narrows the bracket.
      if (inside) {
        (h.links() > intervals ? a : b) = std::move(h);
      } else if (h.links() == a.links()) {
        a.lambda = std::max(a.lambda, lambda);  // same vertex, a penalty closer to the target
      } else if (h.links() == b.links()) {
        b.lambda = std::min(b.lambda, lambda);
      } else {
        model_probes = 0;  // outside the bracket (rounding): finish with secant probes
      }
      continue;
    }
    const double line = a.cost + lambda * static_cast<double>(a.links());
    const double penalised = h.cost + lambda * static_cast<double>(h.links());
    // Rounding in the costs is ~eps per unit of cost; below the line by more than that is a new vertex.
    const double noise = 64 * kEps * (std::abs(line) + b.cost);
    if (!(penalised < line - noise && inside)) return splice(b.path, a.path, intervals);
    (h.links() > intervals ? a : b) = std::move(h);
  }
}

}  // namespace ipaq::asq
