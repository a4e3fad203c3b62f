// check_finite: chunked branch-free screening must name the first non-finite value wherever it lies
// (first/last value, chunk boundaries, tail), for NaN and both infinities, and accept finite extremes.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "lib/core/checks.h"
#include "lib/core/error.h"

namespace ipaq {
namespace {

TEST(CheckFinite, NamesTheFirstNonFiniteValue) {
  const float bad_values[] = {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity(),
                              -std::numeric_limits<float>::infinity()};
  for (size_t n : {size_t{1}, size_t{7}, size_t{255}, size_t{256}, size_t{257}, size_t{1000}, size_t{2050}}) {
    for (size_t pos : {size_t{0}, n / 2, n - 1, size_t{255}, size_t{256}, size_t{1023}, size_t{1024}}) {
      if (pos >= n) continue;
      for (float bad : bad_values) {
        std::vector<float> x(n, std::numeric_limits<float>::max());
        x[pos] = bad;
        if (pos + 1 < n) x[n - 1] = bad;  // a later one must not be named first
        try {
          check_finite(x.data(), n, "vec");
          FAIL() << "no throw, n " << n << " pos " << pos;
        } catch (const InvalidArgument& e) {
          EXPECT_NE(std::string(e.what()).find("vec: value " + std::to_string(pos) + " is not finite"),
                    std::string::npos)
              << e.what();
        }
      }
    }
  }
}

TEST(CheckFinite, AcceptsFiniteExtremes) {
  std::vector<float> x(1000);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = i % 3 == 0 ? std::numeric_limits<float>::max() : i % 3 == 1 ? -std::numeric_limits<float>::denorm_min() : -0.0f;
  }
  EXPECT_NO_THROW(check_finite(x.data(), x.size(), "vec"));
  EXPECT_NO_THROW(check_finite(x.data(), 0, "vec"));
}

}  // namespace
}  // namespace ipaq
