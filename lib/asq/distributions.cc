#include "lib/asq/distributions.h"

#include <cmath>

#include "lib/core/error.h"
#include "lib/core/random.h"

namespace ipaq::asq {

std::vector<double> sample_distribution(const std::string& name, size_t d, uint64_t seed) {
  IPAQ_CHECK_ARG(d > 0, "asq: --d must be positive");
  Rng rng(seed);
  // 1 − uniform() is in (0, 1], so the logarithm is finite.
  auto exponential = [&] { return -std::log(1.0 - rng.uniform()); };
  std::vector<double> x(d);
  if (name == "lognormal") {
    for (auto& v : x) v = std::exp(rng.normal());
  } else if (name == "normal") {
    for (auto& v : x) v = rng.normal();
  } else if (name == "exponential") {
    for (auto& v : x) v = exponential();
  } else if (name == "truncnorm") {
    for (auto& v : x) {
      do {
        v = rng.normal();
      } while (std::abs(v) > 1.0);
    }
  } else if (name == "weibull") {
    for (auto& v : x) v = std::sqrt(exponential());
  } else {
    throw InvalidArgument("asq: unknown distribution '" + name +
                          "' (expected lognormal, normal, exponential, truncnorm or weibull)");
  }
  return x;
}

}  // namespace ipaq::asq
