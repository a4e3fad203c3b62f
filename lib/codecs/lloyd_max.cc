#include "lib/codecs/lloyd_max.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <mutex>
#include <numbers>
#include <utility>

#include "lib/core/error.h"

namespace ipaq {

namespace {

constexpr size_t kCells = size_t{1} << 16;

// Lloyd's iteration on a density discretised into equal cells over [lo, hi], the density taken constant
// inside each cell so that masses and first moments up to ANY threshold are exact for that piecewise
// law (thresholds move continuously; a cell-granular assignment would stall the iteration).
std::vector<double> lloyd_max_discretised(int bits, double lo, double hi, double sigma,
                                          const std::function<double(double)>& density) {
  IPAQ_CHECK_ARG(bits >= 1 && bits <= 8, "Lloyd–Max: bits must be in [1, 8], got ", bits);
  const size_t s = size_t{1} << bits;
  const double h = (hi - lo) / kCells;
  // cell_mass[k]; prefix sums mass[k], moment[k] over cells [0, k).
  std::vector<double> cell_mass(kCells), mass(kCells + 1, 0.0), moment(kCells + 1, 0.0);
  for (size_t k = 0; k < kCells; ++k) {
    const double t = lo + (k + 0.5) * h;
    cell_mass[k] = density(t) * h;
    mass[k + 1] = mass[k] + cell_mass[k];
    moment[k + 1] = moment[k] + cell_mass[k] * t;
  }
  // Mass and first moment of (−∞, x].
  auto cumulative = [&](double x) -> std::pair<double, double> {
    if (x <= lo) return {0.0, 0.0};
    if (x >= hi) return {mass[kCells], moment[kCells]};
    const double pos = (x - lo) / h;
    const size_t k = std::min(kCells - 1, static_cast<size_t>(pos));
    const double frac = pos - k;
    const double left = lo + k * h;
    return {mass[k] + cell_mass[k] * frac, moment[k] + cell_mass[k] * frac * (left + 0.5 * frac * h)};
  };
  const double total = mass[kCells];
  // Initial levels: conditional means of 2^bits equal-probability slices.
  std::vector<double> thresholds(s + 1);
  thresholds[0] = lo;
  thresholds[s] = hi;
  for (size_t i = 1; i < s; ++i) {
    const size_t k = std::lower_bound(mass.begin(), mass.end(), total * i / s) - mass.begin();
    thresholds[i] = lo + k * h;
  }
  std::vector<double> levels(s, 0.0);
  for (int iter = 0; iter < 20000; ++iter) {
    double change = 0.0;
    auto below = cumulative(thresholds[0]);
    for (size_t i = 0; i < s; ++i) {
      const auto upto = cumulative(thresholds[i + 1]);
      const double m = upto.first - below.first;
      const double c = m > 0 ? (upto.second - below.second) / m : 0.5 * (thresholds[i] + thresholds[i + 1]);
      change = std::max(change, std::fabs(c - levels[i]));
      levels[i] = c;
      below = upto;
    }
    for (size_t i = 1; i < s; ++i) thresholds[i] = 0.5 * (levels[i - 1] + levels[i]);
    if (change < 1e-13 * sigma) break;
  }
  // Enforce exact symmetry (the law is symmetric; the iteration is only up to rounding).
  for (size_t i = 0; i < s / 2; ++i) {
    const double a = 0.5 * (levels[s - 1 - i] - levels[i]);
    levels[i] = -a;
    levels[s - 1 - i] = a;
  }
  return levels;
}

std::mutex cache_mutex;
std::map<std::pair<int, size_t>, std::vector<double>> cache;  // (bits, D or 0 for Gaussian)

std::vector<double> memoised(int bits, size_t D, const std::function<std::vector<double>()>& compute) {
  {
    std::lock_guard<std::mutex> lock(cache_mutex);
    auto it = cache.find({bits, D});
    if (it != cache.end()) return it->second;
  }
  std::vector<double> levels = compute();
  std::lock_guard<std::mutex> lock(cache_mutex);
  cache[{bits, D}] = levels;
  return levels;
}

}  // namespace

std::vector<double> lloyd_max_gaussian(int bits) {
  return memoised(bits, 0, [bits] {
    return lloyd_max_discretised(bits, -9.0, 9.0, 1.0, [](double t) { return std::exp(-0.5 * t * t); });
  });
}

std::vector<double> lloyd_max_sphere_coordinate(int bits, size_t D) {
  IPAQ_CHECK_ARG(D >= 1, "Lloyd–Max: dimension must be >= 1");
  if (D < 3) {
    std::vector<double> levels = lloyd_max_gaussian(bits);
    for (double& l : levels) l /= std::sqrt(static_cast<double>(D));
    return levels;
  }
  return memoised(bits, D, [bits, D] {
    const double sigma = 1.0 / std::sqrt(static_cast<double>(D));
    const double half_width = std::min(1.0, 9.0 * sigma);
    const double exponent = 0.5 * (static_cast<double>(D) - 3.0);
    return lloyd_max_discretised(bits, -half_width, half_width, sigma, [exponent](double t) {
      return std::exp(exponent * std::log1p(-t * t));
    });
  });
}

double gaussian_quantization_mse(const std::vector<double>& levels) {
  // E[(X − l)² ; a < X < b] = (1 + l²)(Φ(b) − Φ(a)) − 2 l (φ(a) − φ(b)) + (a φ(a) − b φ(b)).
  auto pdf = [](double t) { return std::isinf(t) ? 0.0 : std::exp(-0.5 * t * t) / std::sqrt(2 * std::numbers::pi); };
  auto cdf = [](double t) { return 0.5 * std::erfc(-t / std::numbers::sqrt2); };
  auto tpdf = [&](double t) { return std::isinf(t) ? 0.0 : t * pdf(t); };
  double mse = 0.0;
  for (size_t i = 0; i < levels.size(); ++i) {
    const double a = i == 0 ? -INFINITY : 0.5 * (levels[i - 1] + levels[i]);
    const double b = i + 1 == levels.size() ? INFINITY : 0.5 * (levels[i] + levels[i + 1]);
    const double l = levels[i];
    mse += (1 + l * l) * (cdf(b) - cdf(a)) - 2 * l * (pdf(a) - pdf(b)) + (tpdf(a) - tpdf(b));
  }
  return mse;
}

}  // namespace ipaq
