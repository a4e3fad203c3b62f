// Screening a run of distances before pushing it into a bounded top-k heap (issue 4: in small scans the
// heap work — one replacement per candidate that beats the current worst, each with unpredictable
// branches — cost as much as the SIMD scan itself).
//
// screen_topk_run(n, dist, k, order, bound, out, scratch) writes to `out`, in increasing order, the
// positions i < n a top-k heap whose current worst kept distance is `bound` could still take from this
// run: it drops every position that is NaN, not strictly better than `bound` (kLargest: dist ≤ bound;
// kSmallest: dist ≥ bound), or strictly worse than k other positions of the run. The dropped positions can
// therefore never be in the heap after all n are offered (k strictly better ones come with them), and
// offering only the kept positions, in the same order, leaves the heap with the same content as offering
// all n (ties at the k-th value are kept, so a heap's tie rule sees them all).
// How: a branch-free count of what beats the bound; if more than 2k do (a fresh heap), the k-th best of
// the best values of 2k strided groups of positions (a lower bound on the run's k-th best, since those
// are k distinct positions) is a threshold too. One branch-free pass then keeps what passes. Typically
// k..2k positions survive (returned count).
//
// Arrays: dist n floats, out n uint32 (n < 2^32), scratch reused (no allocation once large enough).
// Not for runs with an id selector: the threshold assumes every position may enter. k ≥ 1.
// Thread-safety: pure (scratch per thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/scan/topk.h"

namespace ipaq {

size_t screen_topk_run(size_t n, const float* dist, size_t k, TopKOrder order, float bound, uint32_t* out,
                       std::vector<float>& scratch);

}  // namespace ipaq
