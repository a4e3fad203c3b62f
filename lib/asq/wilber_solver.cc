// Lagrangian exact ASQ solver (Singal & White, "Inner Product Aware Quantization", who solve each
// penalty with Wilber's online SMAWK; here the candidate-list LWS of concave_lws.h, ~2× faster).
//
// OPT(k), the optimal cost with k intervals, is convex in k (C is Monge). For a penalty λ the concave
// LWS (concave_lws.h) returns a path minimising cost + λ·links, i.e. a vertex of the lower convex hull
// of {(k, OPT(k))}. We keep two hull points a (k_a > K links) and b (k_b < K) and probe λ = the slope
// between them: either a new hull point strictly between them comes back (it replaces a or b), or
// every point on segment [b, a] is optimal for that λ — the tie case, where no λ yields exactly K
// links. Then a K-link path of the same penalised cost is spliced from the two paths (below).
// The first few probes use a model of OPT instead of the secant to land near K quickly; their
// results are hull vertices too, so they only narrow the bracket (never decide a tie).
// Model: OPT(k) ≈ A·k^−2 (the high-resolution law of ASQ) through the nearest probed hull point, so
// λ = its marginal gain at K (or links ∝ λ^−1/3 from that point's penalty if that moves further);
// once both ends are probed, log-log interpolation of links(λ). Through
// the 1-link start point the law is poor (the first probe lands at ~0.6·K links on LogNormal, so a
// second probe is needed); for large n the first penalty is therefore scouted on a strided subsample
// (1/kScoutStride of the points, each carrying its group's weight, so path costs are comparable):
// two model probes there cost 1/8 of one full LWS pass and put the first full probe near K (measured:
// 1 full probe instead of 2–3 for s = 16, 64 on five distributions at d = 2^20; at s = 256 the
// subsample misjudges the sparse tail and 3–5 full probes remain). Inputs too small to scout (e.g. the
// approximate solver's grid problems, small raw inputs such as ASQ's per-vector levels) start from a
// density estimate of the same law instead (density_penalty; see density_start below for which), and a
// single probed end within 10 % of K then steps by links ∝ λ^−1/3 alone.
// Finish: near K the steps of links(λ) are irregular (on the approximate solver's grid problems the
// penalty range that yields exactly K links can be 0.01 %–0.1 % wide, so secant probes land on
// K ± 1, ± 2 several times). Once the bracket's two paths pin every breakpoint of an optimal K-link
// path to windows of at most kWilberWindowBudget·n points in total (link_windows), the layered DP restricted
// to those windows returns it exactly, for about the cost of one LWS pass (windowed_path).
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "lib/asq/concave_lws.h"
#include "lib/asq/density_segments.h"
#include "lib/asq/exact_solvers.h"
#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq::asq {
namespace {

struct HullPoint {
  Path path;
  double cost = 0.0;
  double lambda = 0.0;  // a penalty for which this path is optimal (0 and +inf for the start points)
  size_t links() const { return path.size() - 1; }
};

// λ at which a path with K links is optimal if OPT(k) = A·k^−2 through (links, cost).
double power_law_penalty(double cost, size_t links, size_t intervals) {
  const double k = static_cast<double>(intervals);
  const double scale = cost * static_cast<double>(links) * static_cast<double>(links);
  return scale * (1.0 / ((k - 0.5) * (k - 0.5)) - 1.0 / ((k + 0.5) * (k + 0.5)));
}

constexpr size_t kScoutStride = 16;
constexpr double kNearTarget = 0.1;  // one probed end within 10 % of K links: step by links ∝ λ^−1/3
constexpr size_t kSecantBracket = 8;  // bracket width (links) below which only secant probes are used
// kWilberWindowBudget (exact_solvers.h), the Σ window sizes (in units of n) up to which the windowed DP
// finishes instead of further probes: it costs ~Σ/n LWS passes, and from a bracket that wide the probes
// need 2 or more passes (measured on the grid problems at d = 2^16, s = 64, 256, five distributions).
constexpr size_t kScoutMinPoints = 4096;  // subsample size below which scouting is not worth it
constexpr int kScoutProbes = 2;          // each costs 1/16 of a full LWS pass

// A first penalty for K links from the data's density, for inputs too small to scout: with penalty λ an
// interval of length L around x costs f·L³/6 + λ (f the density), minimised per unit length by
// L = (3λ/f)^{1/3}, so links(λ) ≈ ∫ (f/(3λ))^{1/3} — the high-resolution law of ASQ — estimated over
// segments of kDensitySegment consecutive points with constant density inside, each holding
// (weight·len²)^{1/3}·(3λ)^{−1/3} levels but never more than its runs of points (sparse tails, where the
// law would put several levels between two points). Measured on the approximate solver's grid problems
// (d = 2^16, m = 100·s; lognormal, normal, exponential, weibull, truncnorm): the first probe lands
// within −2 % … +2 % of K links (capped by points instead of runs: −3 %; without the cap: −6 %; the
// power law through the 1-link point: ~0.6·K). Returns 0 if the estimate is degenerate.

double density_penalty(const IntervalCost& cost, size_t intervals) {
  // links(λ) ≈ Σ_segments min(runs, m·u), m = (weight·len²)^{1/3}, u = (3λ)^{−1/3}: a segment holds
  // m·u levels by the law (interval length (3λ/f)^{1/3}), but never more than its runs of points, a run
  // being points less than 1.5× the smallest gap apart (sparse tails: on a grid problem an isolated
  // value is split over two neighbouring grid points, one run; on raw data every distinct value is one).
  // Capping by points instead of runs put LogNormal's first probe at 247 links for K = 255 (d = 2^16,
  // m = 100·s), by runs at 251; the other four distributions of bench/RESULTS.md are unchanged.
  const size_t n = cost.size();
  double smallest_gap = INFINITY;
  for (size_t i = 1; i < n; ++i) {
    const double gap = cost.x(i) - cost.x(i - 1);
    if (gap > 0.0) smallest_gap = std::min(smallest_gap, gap);
  }
  const double same_run = 1.5 * smallest_gap;
  std::vector<std::pair<double, double>> segments;  // (m, runs)
  segments.reserve(n / kDensitySegment + 1);
  double free_mass = 0.0;
  for_each_density_segment<true>(
      n, [&](size_t i) { return cost.x(i); }, [&](size_t i, size_t j) { return cost.weight_between(i, j); },
      [&](size_t i, size_t j, double, double mass) {
        size_t runs = 0;
        for (size_t l = i + 1; l <= j; ++l) runs += cost.x(l) - cost.x(l - 1) > same_run;
        segments.emplace_back(mass, static_cast<double>(std::max<size_t>(runs, 1)));
        free_mass += mass;
      });
  const double k = static_cast<double>(intervals);
  double u = k / free_mass;
  for (int iteration = 0; iteration < 16; ++iteration) {  // fixed point of the saturated set
    double saturated = 0.0, mass = 0.0;
    for (const auto& [m, runs] : segments) {  // selects, not branches: saturation follows no pattern
      const bool full = m * u >= runs;
      saturated += full ? runs : 0.0;
      mass += full ? 0.0 : m;
    }
    const double next = (k - saturated) / mass;
    if (!(next > 0.0) || !std::isfinite(next) || next == u) break;
    u = next;
  }
  const double lambda = 1.0 / (3.0 * u * u * u);
  return std::isfinite(lambda) && lambda > 0.0 ? lambda : 0.0;
}

// A first penalty for K links from two model probes on a strided subsample; 0 if n is too small.
double scout_penalty(const IntervalCost& cost, size_t intervals) {
  const size_t n = cost.size();
  const size_t groups = n / kScoutStride;
  if (groups < std::max(kScoutMinPoints, 32 * intervals)) return 0.0;
  // Point g is the middle of group g (indices [g·S, (g+1)·S)), weighted by the group's weight; the
  // first and last points stay so that the subsample spans the data. Only an estimate: the weight
  // of point 0 is left out.
  std::vector<double> xs, ws;
  xs.reserve(groups + 2);
  ws.reserve(groups + 2);
  xs.push_back(cost.x(0));
  ws.push_back(0.0);
  size_t prev_end = 0;
  for (size_t g = 0; g < groups; ++g) {
    const size_t end = g + 1 == groups ? n - 1 : (g + 1) * kScoutStride - 1;
    xs.push_back(cost.x(g * kScoutStride + kScoutStride / 2));
    ws.push_back(cost.weight_between(prev_end, end));
    prev_end = end;
  }
  xs.push_back(cost.x(n - 1));
  ws.push_back(0.0);
  const IntervalCost sub(xs, ws);
  ConcaveLws lws(sub);
  double lambda = power_law_penalty(sub(0, xs.size() - 1), 1, intervals);
  for (int probe = 0; probe < kScoutProbes; ++probe) {
    const Path path = lws.solve(lambda);
    if (path.size() - 1 == intervals) break;
    const double probed = power_law_penalty(path_cost(sub, path), path.size() - 1, intervals);
    if (!(probed > 0.0) || !std::isfinite(probed)) break;
    lambda = probed;
  }
  return lambda;
}

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

// Windows for the breakpoints of an optimal K-link path Q, from hull paths A (k_a > K links) and
// B (k_b < K links), each optimal for its number of links:
//   A_t <= Q_t <= A_{t+k_a−K},   B_{t−(K−k_b)} <= Q_t <= B_t   (indices out of range: no bound).
// Proof of Q_t >= A_t (the others are the same argument, mirrored or with fewer links): take any
// optimal K-link path Q and the pointwise max M_t = max(A_t, Q_t) and min m_t = min(A_t, Q_t) for
// t <= K, m continued by A_{K+1..k_a}. Both are paths (K and k_a links). Where A and Q cross between
// t−1 and t, the quadrangle inequality gives C(m_{t−1}, m_t) + C(M_{t−1}, M_t) <= C(A_{t−1}, A_t) +
// C(Q_{t−1}, Q_t); elsewhere the links are the same. So cost(M) + cost(m) <= cost(Q) + cost(A), and
// cost(m) >= cost(A) (A is optimal with k_a links), hence M is an optimal K-link path with M_t >= A_t.
// Clamping to a lower bound keeps every upper bound that is >= it, so if lo_t <= hi_t for every t an
// optimal K-link path lies inside all windows. Returns false otherwise (possible only through ties or
// rounding). lo/hi get K+1 entries; the return value's `points` is Σ (hi_t − lo_t + 1).
struct Windows {
  std::vector<uint32_t> lo, hi;
  size_t points = 0;
};

bool link_windows(const Path& more, const Path& fewer, size_t intervals, size_t n, Windows& w) {
  const size_t ka = more.size() - 1, kb = fewer.size() - 1;
  w.lo.resize(intervals + 1);
  w.hi.resize(intervals + 1);
  w.points = 0;
  for (size_t t = 0; t <= intervals; ++t) {
    size_t lo = std::max<size_t>(t, more[t]);
    if (t >= intervals - kb) lo = std::max<size_t>(lo, fewer[t - (intervals - kb)]);
    size_t hi = std::min<size_t>(n - 1 - (intervals - t), more[t + ka - intervals]);
    if (t <= kb) hi = std::min<size_t>(hi, fewer[t]);
    if (lo > hi) return false;
    w.lo[t] = static_cast<uint32_t>(lo);
    w.hi[t] = static_cast<uint32_t>(hi);
    w.points += hi - lo + 1;
  }
  return true;
}

// The best K-link path with Q_t in [lo_t, hi_t]: the layered DP (QUIVER) restricted to the windows.
// Layer t: best_t[j] = min over i in window t−1, i < j, of best_{t−1}[i] + C(i, j) for j in window t,
// by the candidate list of concave_lws.h (rows i added in order, columns j queried in order); lo is
// strictly increasing, so every j has a candidate. Time ~ one LWS pass over Σ window sizes points;
// memory 24 bytes per point (best_{t−1}, best_t and the RowEnvelope's row/start lists) plus 4 per
// window point.
template <bool kUnitWeights>
Path windowed_path(const IntervalCost& cost, size_t intervals, const Windows& w) {
  const size_t n = cost.size();
  // best_{t−1}, best_t at absolute indices, parents per window point, the envelope's buffers: each
  // entry is written before it is read (windows only), so none is cleared.
  std::unique_ptr<double[]> prev_buffer(new double[n]), cur_buffer(new double[n]);
  std::unique_ptr<uint32_t[]> parent(new uint32_t[w.points]), rows(new uint32_t[n]),
      starts(new uint32_t[n + 1]);
  double* prev = prev_buffer.get();
  double* cur = cur_buffer.get();
  RowEnvelope<kUnitWeights> envelope(cost, rows.get(), starts.get());
  prev[0] = 0.0;
  size_t offset = 1;  // window 0 is the single point 0
  for (size_t t = 1; t <= intervals; ++t) {
    envelope.reset(prev, w.hi[t]);
    size_t next = w.lo[t - 1];
    for (size_t j = w.lo[t]; j <= w.hi[t]; ++j) {
      for (; next <= w.hi[t - 1] && next < j; ++next) envelope.add(next, j);
      const size_t i = envelope.best(j);
      cur[j] = prev[i] + cost.template cost<kUnitWeights>(i, j);
      parent[offset + (j - w.lo[t])] = static_cast<uint32_t>(i);
    }
    offset += w.hi[t] - w.lo[t] + 1;
    std::swap(prev, cur);
  }
  Path path(intervals + 1);
  path[intervals] = static_cast<uint32_t>(n - 1);
  for (size_t t = intervals; t > 0; --t) {
    offset -= w.hi[t] - w.lo[t] + 1;
    path[t - 1] = parent[offset + (path[t] - w.lo[t])];
  }
  return path;
}

Path windowed_path(const IntervalCost& cost, size_t intervals, const Windows& w) {
  IPAQ_CHECK_ARG(cost.has_psi(), "asq: the windowed DP needs the interval costs' psi column");
  return cost.unit_weights() ? windowed_path<true>(cost, intervals, w) : windowed_path<false>(cost, intervals, w);
}

}  // namespace

Path solve_k_link_between(const IntervalCost& cost, size_t intervals, const Path& more, const Path& fewer) {
  IPAQ_CHECK_ARG(more.size() > intervals + 1 && fewer.size() < intervals + 1 && fewer.size() >= 2,
                 "asq: hull paths must have more and fewer than ", intervals, " links");
  // The windows index the paths and the DP assumes window 0 = {0}, window K ∋ n − 1 and strictly
  // increasing lower bounds: anything else would read out of bounds. O(links), below the DP's cost.
  for (const Path* path : {&more, &fewer}) {
    IPAQ_CHECK_ARG(path->front() == 0 && path->back() == cost.size() - 1,
                   "asq: hull path must run from 0 to ", cost.size() - 1, ", got ", path->front(), " to ",
                   path->back());
    for (size_t t = 1; t < path->size(); ++t) {
      IPAQ_CHECK_ARG((*path)[t - 1] < (*path)[t], "asq: hull path not strictly increasing at link ", t);
    }
  }
  Windows windows;
  if (!link_windows(more, fewer, intervals, cost.size(), windows)) return {};
  return windowed_path(cost, intervals, windows);
}

Path solve_wilber_path(const IntervalCost& cost, size_t intervals, double window_budget) {
  const size_t n = cost.size();
  HullPoint b{{0, static_cast<uint32_t>(n - 1)}, cost(0, n - 1), std::numeric_limits<double>::infinity()};
  if (intervals <= 1) return b.path;
  // a: a level at every distinct value costs 0 = the minimum over any number of links.
  // (The first index of each run of equal values; written without branches.)
  HullPoint a;
  a.path.resize(n);
  size_t runs = 1;
  for (size_t i = 1; i < n; ++i) {
    a.path[runs] = static_cast<uint32_t>(i);
    runs += cost.x(i) != cost.x(i - 1);
  }
  a.path.resize(runs);
  if (a.path.size() == 1) {
    a.path.push_back(static_cast<uint32_t>(n - 1));
  } else {
    a.path.back() = static_cast<uint32_t>(n - 1);  // same value as the first index of the last run
  }
  a.cost = 0.0;  // exactly: every point inside a link equals one of its ends
  if (a.links() <= intervals) return a.path;

  std::optional<ConcaveLws> lws(std::in_place, cost);  // dropped before the windowed DP (memory)
  constexpr double kEps = std::numeric_limits<double>::epsilon();
  const double k_target = static_cast<double>(intervals);
  int model_probes = 8;
  const double scouted = scout_penalty(cost, intervals);
  // The density start (and the near-K step that goes with it) for inputs too small to scout: weighted
  // ones (the approximate solver's grid problems, where it was measured to save passes) and unit-weight
  // ones below 2^16 points, e.g. ASQ's per-vector levels (d = 1024, near-Gaussian coordinates: 150-230
  // -> 95-140 us per solve at s = 16, same cost). Unit-weight inputs of 2^16 points and more that are not
  // scouted (s = 256 at d = 2^16) keep the power law through the 1-link point: there the density start
  // was a wash (LogNormal: 3 -> 4 passes, exponential: 4 -> 1), and the auto timings in bench/RESULTS.md stand.
  const bool density_start =
      scouted == 0.0 && (!cost.unit_weights() || cost.size() < kScoutStride * kScoutMinPoints);
  const double density = density_start ? density_penalty(cost, intervals) : 0.0;
  Windows windows;
  while (true) {
    // Finish by the windowed DP once the hull paths pin the K-link path's breakpoints tightly enough.
    if (link_windows(a.path, b.path, intervals, n, windows) &&
        static_cast<double>(windows.points) <= window_budget * static_cast<double>(n)) {
      lws.reset();
      return windowed_path(cost, intervals, windows);
    }
    // Probe choice: while model probes remain, a model guess (below); then the slope of [b, a].
    // Otherwise (and always for the final tie decision): the slope of segment [b, a].
    const double secant = std::max(0.0, (b.cost - a.cost) / static_cast<double>(a.links() - b.links()));
    double lambda = secant;
    // Near K the steps of links(λ) are irregular and interpolation can land on the same vertex
    // again; the secant of a narrow bracket [b, a] always yields an inner vertex, K, or the tie.
    if (std::isfinite(b.lambda) && a.lambda > 0 && a.links() - b.links() <= kSecantBracket) model_probes = 0;
    const bool use_model = model_probes > 0;
    if (use_model) {
      --model_probes;
      const bool a_probed = a.lambda > 0, b_probed = std::isfinite(b.lambda);
      if (a_probed && b_probed) {
        // Both ends came from probes: links(λ) is close to a power law, interpolate log k in log λ.
        const double t = std::log(k_target / a.links()) / std::log(static_cast<double>(b.links()) / a.links());
        lambda = std::exp(std::log(a.lambda) + t * (std::log(b.lambda) - std::log(a.lambda)));
      } else if (a_probed || b_probed) {
        // One probed end h: the power law through it, or links ∝ λ^−1/3 from its penalty, whichever
        // moves further towards K (the latter always moves, so repeated probes cannot stall).
        const HullPoint& h = a_probed ? a : b;
        const double through = power_law_penalty(h.cost, h.links(), intervals);
        const double ratio = h.lambda * std::pow(static_cast<double>(h.links()) / k_target, 3.0);
        const bool near =
            density_start && std::abs(static_cast<double>(h.links()) - k_target) <= kNearTarget * k_target;
        lambda = near ? ratio : a_probed ? std::max(through, ratio) : std::min(through, ratio);
      } else if (scouted > 0.0) {
        lambda = scouted;
      } else if (density > 0.0) {
        lambda = density;
      } else {
        lambda = power_law_penalty(b.cost, b.links(), intervals);
      }
    }
    HullPoint h{lws->solve(lambda), 0.0, lambda};
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
