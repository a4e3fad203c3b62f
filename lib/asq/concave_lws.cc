#include "lib/asq/concave_lws.h"

#include "lib/core/error.h"

namespace ipaq::asq {

ConcaveLws::ConcaveLws(const IntervalCost& cost)
    : cost_(cost),
      f_(cost.size()),
      parent_(new uint32_t[cost.size()]),
      rows_(new uint32_t[cost.size()]),
      starts_(new uint32_t[cost.size() + 1]) {
  IPAQ_CHECK_ARG(cost.has_psi(), "asq: the LWS needs the interval costs' psi column");
}

template <bool kUnitWeights>
void ConcaveLws::run(double penalty) {
  const size_t n = cost_.size();
  double* f = f_.data();
  uint32_t* parent = parent_.get();
  RowEnvelope<kUnitWeights> envelope(cost_, rows_.get(), starts_.get());
  f[0] = 0.0;
  envelope.reset(f, n - 1);
  envelope.add(0, 1);
  for (size_t j = 1; j < n; ++j) {
    const size_t i = envelope.best(j);
    f[j] = f[i] + cost_.template cost<kUnitWeights>(i, j) + penalty;
    parent[j] = static_cast<uint32_t>(i);
    if (j + 1 < n) envelope.add(j, j + 1);
  }
}

Path ConcaveLws::solve(double penalty) {
  const size_t n = cost_.size();
  if (cost_.unit_weights()) {
    run<true>(penalty);
  } else {
    run<false>(penalty);
  }
  Path reversed{static_cast<uint32_t>(n - 1)};
  while (reversed.back() != 0) reversed.push_back(parent_[reversed.back()]);
  return Path(reversed.rbegin(), reversed.rend());
}

}  // namespace ipaq::asq
