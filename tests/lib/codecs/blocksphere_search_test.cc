// BlockSphere nearest-codeword kernels: AVX2 == portable (bitwise: same indexes), and both pick a
// codeword at the minimum squared distance computed in double (up to float rounding of the scores).
#include "lib/codecs/blocksphere_search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "lib/core/random.h"
#include "lib/core/simd_level.h"

namespace ipaq {
namespace {

TEST(BlockSphereSearch, KernelsAgreeAndFindTheNearestCodeword) {
  Rng rng(17);
  for (size_t p : {1, 2, 4, 8}) {
    for (size_t K : {8, 16, 64, 256}) {
      const size_t n_elems = 300;
      std::vector<float> book(K * p), transposed(K * p), half(K, 0.0f), u(n_elems * p);
      for (float& v : book) v = static_cast<float>(rng.normal() * 0.05);
      // Duplicate codewords create exact ties: the first index must win in both kernels.
      for (size_t k = 0; k < p; ++k) book[(K - 1) * p + k] = book[3 * p + k];
      for (size_t c = 0; c < K; ++c)
        for (size_t k = 0; k < p; ++k) {
          transposed[k * K + c] = book[c * p + k];
          half[c] += 0.5f * book[c * p + k] * book[c * p + k];
        }
      for (size_t e = 0; e < n_elems; ++e) {
        const size_t near = rng.below(K);  // around codeword 3 often, to exercise the tie
        for (size_t k = 0; k < p; ++k)
          u[e * p + k] = book[(e % 4 == 0 ? 3 : near) * p + k] + static_cast<float>(rng.normal() * 0.01);
      }
      std::vector<uint16_t> portable(n_elems), avx2(n_elems), dispatched(n_elems);
      detail::blocksphere_nearest_portable(u.data(), n_elems, p, transposed.data(), half.data(), K, portable.data());
      blocksphere_nearest(u.data(), n_elems, p, transposed.data(), half.data(), K, dispatched.data());
      EXPECT_EQ(dispatched, portable);
      if (cpu_simd_level() >= SimdLevel::kAvx2) {
        detail::blocksphere_nearest_avx2(u.data(), n_elems, p, transposed.data(), half.data(), K, avx2.data());
        EXPECT_EQ(avx2, portable) << "p=" << p << " K=" << K;
      }
      for (size_t e = 0; e < n_elems; ++e) {
        ASSERT_NE(portable[e], K - 1) << "duplicate of codeword 3 chosen over it";
        auto dist = [&](size_t c) {
          double s = 0;
          for (size_t k = 0; k < p; ++k) s += std::pow(static_cast<double>(u[e * p + k]) - book[c * p + k], 2);
          return s;
        };
        double best = dist(0);
        for (size_t c = 1; c < K; ++c) best = std::min(best, dist(c));
        EXPECT_LE(dist(portable[e]), best + 1e-6) << e;
      }
    }
  }
}

}  // namespace
}  // namespace ipaq
