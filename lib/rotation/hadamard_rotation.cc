#include "lib/rotation/hadamard_rotation.h"

#include <bit>
#include <cmath>
#include <vector>

#include "lib/core/error.h"
#include "lib/core/random.h"
#include "lib/rotation/walsh_hadamard.h"

namespace ipaq {

namespace {
size_t padded_dim(size_t d) {
  IPAQ_CHECK_ARG(d > 0, "HadamardRotation: dimension must be > 0");
  IPAQ_CHECK_ARG(d <= (size_t{1} << 30), "HadamardRotation: dimension ", d, " exceeds 2^30");
  return std::bit_ceil(d);
}
}  // namespace

HadamardRotation::HadamardRotation(size_t d, uint64_t seed, int rounds)
    : Rotation(d, padded_dim(d), seed), rounds_(rounds) {
  IPAQ_CHECK_ARG(rounds >= 1 && rounds <= 8, "HadamardRotation: rounds must be in [1, 8], got ", rounds);
  const size_t n = rotated_dim();
  signs_.resize(static_cast<size_t>(rounds) * n);
  for (int k = 0; k < rounds; ++k) {
    Rng rng(derive_seed(seed, static_cast<uint64_t>(k)));
    for (size_t i = 0; i < n; ++i) signs_[k * n + i] = rng.sign();
  }
  scale_ = static_cast<float>(std::pow(static_cast<double>(n), -0.5 * rounds));
}

void HadamardRotation::apply(const float* x, float* y) const {
  randomized_hadamard(x, dim(), rotated_dim(), signs_.data(), rounds_, scale_, y);
}

void HadamardRotation::apply_transpose(const float* y, float* x) const {
  // Π^T = Π_1^T ... Π_r^T and Π_k^T = D_k H / sqrt(D) since H and D_k are symmetric.
  const size_t n = rotated_dim();
  std::vector<float> t(y, y + n);
  for (int k = rounds_ - 1; k >= 0; --k) {
    walsh_hadamard_transform(t.data(), n);
    const float* s = signs_.data() + k * n;
    for (size_t i = 0; i < n; ++i) t[i] *= s[i];
  }
  for (size_t i = 0; i < dim(); ++i) x[i] = t[i] * scale_;
}

void HadamardRotation::serialize_state(ByteWriter& w) const { w.put<int32_t>(rounds_); }

}  // namespace ipaq
