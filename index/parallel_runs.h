// for_each_run: splits [0, n) into runs of `run` items and calls body(begin, count) for each, in
// parallel (OpenMP, dynamic schedule) when there is more than one run. Exceptions thrown by `body`
// are carried out of the parallel region and rethrown on the caller's thread (the first one wins;
// later runs are skipped). body must be safe to call concurrently on disjoint runs.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "lib/core/omp_exceptions.h"

namespace ipaq {

template <typename Body>
void for_each_run(size_t n, size_t run, Body&& body) {
  const int64_t nruns = static_cast<int64_t>((n + run - 1) / run);
  OmpExceptionCarrier carrier;
#pragma omp parallel for schedule(dynamic) if (nruns > 1)
  for (int64_t r = 0; r < nruns; ++r) {
    carrier.run([&] {
      const size_t begin = static_cast<size_t>(r) * run;
      body(begin, std::min(run, n - begin));
    });
  }
  carrier.rethrow();
}

}  // namespace ipaq
