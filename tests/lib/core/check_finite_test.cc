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

// check_vectors (qa5 finding 2): finite values whose float32 squared norm overflows are rejected naming the
// row; NaN/inf are named by row and column; rows at the edge of float32 pass.
std::string vectors_error(const std::vector<float>& x, size_t d) {
  try {
    check_vectors(x.data(), x.size() / d, d, "vec");
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(CheckVectors, RejectsRowsWhoseSquaredNormOverflows) {
  const size_t d = 16, n = 20;
  std::vector<float> x(n * d, 1.0f);
  EXPECT_EQ(vectors_error(x, d), "");
  x[11 * d + 3] = 3e38f;  // one huge value (QA's bhuge.fvecs)
  EXPECT_NE(vectors_error(x, d).find("vec: row 11: squared norm overflows float32"), std::string::npos)
      << vectors_error(x, d);
  std::vector<float> all(n * d, 1e19f);  // every value finite, each square 1e38, the sum of 16 overflows
  EXPECT_NE(vectors_error(all, d).find("vec: row 0: squared norm overflows float32"), std::string::npos);
  // 4 values of 9e18 (squares 8.1e37, sum 3.24e38 < FLT_MAX = 3.40e38) pass: the bound is float32's.
  std::vector<float> edge(4, 9e18f);
  EXPECT_EQ(vectors_error(edge, 4), "");
}

TEST(CheckVectors, NamesRowAndColumnOfNonFiniteValues) {
  const size_t d = 9;  // not a multiple of 8: the tail loop is exercised
  for (size_t col : {size_t{0}, size_t{7}, size_t{8}}) {
    std::vector<float> x(5 * d, 0.5f);
    x[3 * d + col] = std::numeric_limits<float>::quiet_NaN();
    x[4 * d] = std::numeric_limits<float>::infinity();  // a later row must not be named first
    EXPECT_NE(vectors_error(x, d).find("vec: row 3: value " + std::to_string(col) + " is not finite"),
              std::string::npos)
        << vectors_error(x, d);
  }
  EXPECT_NO_THROW(check_vectors(nullptr, 0, 16, "vec"));
  EXPECT_THROW(check_vectors(nullptr, size_t{1} << 40, size_t{1} << 40, "vec"), InvalidArgument);
}

}  // namespace
}  // namespace ipaq
