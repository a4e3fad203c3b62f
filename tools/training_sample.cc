#include "tools/training_sample.h"

#include <algorithm>
#include <numeric>

#include "lib/core/random.h"

namespace ipaq::cli {

std::vector<float> training_sample(const io::FloatMatrix& base, size_t train_size, uint64_t seed) {
  if (train_size == 0 || train_size >= base.n) return {};
  std::vector<size_t> order(base.n);
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  for (size_t i = 0; i < train_size; ++i) std::swap(order[i], order[i + rng.below(base.n - i)]);
  std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(train_size));
  std::vector<float> sample(train_size * base.d);
  for (size_t i = 0; i < train_size; ++i) {
    std::copy_n(base.row(order[i]), base.d, sample.data() + i * base.d);
  }
  return sample;
}

}  // namespace ipaq::cli
