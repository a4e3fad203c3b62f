// ZipML dynamic program (Zhang et al., ICML 2017): MSE[i][j] = min_{k<j} MSE[i−1][k] + C(k, j).
#include <limits>

#include "lib/asq/exact_solvers.h"

namespace ipaq::asq {

Path solve_zipml_path(const IntervalCost& cost, size_t intervals) {
  const size_t n = cost.size();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<double> prev(n, kInf), cur(n, kInf);
  std::vector<std::vector<uint32_t>> parent(intervals + 1, std::vector<uint32_t>(n, 0));
  for (size_t j = 1; j < n; ++j) prev[j] = cost(0, j);
  for (size_t layer = 2; layer <= intervals; ++layer) {
    for (size_t j = 0; j < n; ++j) {
      cur[j] = kInf;
      for (size_t k = 0; k < j; ++k) {
        const double v = prev[k] + cost(k, j);
        if (v < cur[j]) {
          cur[j] = v;
          parent[layer][j] = static_cast<uint32_t>(k);
        }
      }
    }
    prev.swap(cur);
  }
  Path path{static_cast<uint32_t>(n - 1)};
  for (size_t layer = intervals; layer >= 2; --layer) path.push_back(parent[layer][path.back()]);
  path.push_back(0);
  return Path(path.rbegin(), path.rend());
}

}  // namespace ipaq::asq
