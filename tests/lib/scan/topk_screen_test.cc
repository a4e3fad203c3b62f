// screen_topk_run against brute force: every dropped position is NaN, not strictly better than the bound,
// or has k strictly better positions in its run; kept positions increase; offering only the kept ones to a
// top-k heap gives the same result as offering all (runs with many ties, NaN, both orders, n around 2k).
#include "lib/scan/topk_screen.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "lib/core/random.h"

namespace ipaq {
namespace {

bool strictly_better(float a, float b, TopKOrder order) { return order == TopKOrder::kLargest ? a > b : a < b; }

void check_run(const std::vector<float>& dist, size_t k, TopKOrder order, float bound, size_t* kept_count = nullptr) {
  const size_t n = dist.size();
  std::vector<uint32_t> out(n);
  std::vector<float> scratch;
  const size_t m = screen_topk_run(n, dist.data(), k, order, bound, out.data(), scratch);
  ASSERT_LE(m, n);
  std::vector<bool> kept(n, false);
  for (size_t j = 0; j < m; ++j) {
    ASSERT_LT(out[j], n);
    if (j > 0) {
      ASSERT_LT(out[j - 1], out[j]);
    }
    kept[out[j]] = true;
  }
  for (size_t i = 0; i < n; ++i) {
    if (kept[i]) {
      EXPECT_TRUE(strictly_better(dist[i], bound, order)) << i;  // kept ones pass the bound (so not NaN)
      continue;
    }
    if (std::isnan(dist[i]) || !strictly_better(dist[i], bound, order)) continue;
    size_t better = 0;
    for (size_t j = 0; j < n; ++j) better += strictly_better(dist[j], dist[i], order);
    EXPECT_GE(better, k) << "position " << i << " dropped but could enter the top " << k;
  }
  // Same heap result from the kept positions as from all (TopK: ties broken by id; the bound as a filter).
  TopK all(k, order), some(k, order);
  for (size_t i = 0; i < n; ++i)
    if (strictly_better(dist[i], bound, order)) all.push(dist[i], static_cast<int64_t>(i));
  for (size_t j = 0; j < m; ++j) some.push(dist[out[j]], static_cast<int64_t>(out[j]));
  std::vector<float> da(k), ds(k);
  std::vector<int64_t> ia(k), is(k);
  all.extract_sorted(da.data(), ia.data());
  some.extract_sorted(ds.data(), is.data());
  EXPECT_EQ(ia, is);
  if (kept_count != nullptr) *kept_count = m;
}

TEST(TopKScreen, MatchesBruteForce) {
  Rng rng(8);
  const float inf = std::numeric_limits<float>::infinity();
  for (size_t k : {size_t{1}, size_t{5}, size_t{20}}) {
    for (size_t n : {size_t{0}, size_t{1}, 2 * k, 2 * k + 1, size_t{97}, size_t{500}, size_t{1024}}) {
      for (TopKOrder order : {TopKOrder::kLargest, TopKOrder::kSmallest}) {
        for (int variant = 0; variant < 3; ++variant) {
          SCOPED_TRACE(::testing::Message() << "k " << k << " n " << n << " variant " << variant);
          std::vector<float> dist(n);
          for (size_t i = 0; i < n; ++i) {
            // variant 1: few distinct values (ties everywhere); variant 2: NaN and infinities sprinkled.
            dist[i] = variant == 1 ? static_cast<float>(rng.below(7)) : static_cast<float>(rng.normal());
            if (variant == 2 && i % 13 == 5) dist[i] = std::nanf("");
            if (variant == 2 && i % 17 == 3) dist[i] = i % 2 ? inf : -inf;
          }
          const float none = order == TopKOrder::kLargest ? -inf : inf;
          size_t kept = 0;
          check_run(dist, k, order, none, &kept);
          // What it is for: long runs of distinct values keep few positions (typically k..2k).
          if (variant == 0 && n >= 500) {
            EXPECT_LE(kept, 4 * k + 8);
          }
          check_run(dist, k, order, variant == 1 ? 3.0f : 0.5f);  // a bound inside the values
        }
      }
    }
  }
}

}  // namespace
}  // namespace ipaq
