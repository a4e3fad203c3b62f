// ScoreBoundProvider: an optional interface of ipaq indexes whose codec exposes an error bound on its
// inner-product estimate (Codec::ip_error_bound, e.g. RaBitQ).
//
// For labels the index holds, score_bounds() writes the reference (scalar Codec::estimate_ip) distance
// estimate[i] and bound[i] such that |estimate[i] - exact distance| <= bound[i] with the probability
// the codec's bound holds, in the units of the index's metric (for METRIC_L2: 2 * the inner-product
// bound, since ||q - x||^2 = ||q||^2 + ||x||^2 - 2 <q, x>). The reference estimate is returned because
// the distances of a fast-scan search carry an extra LUT-quantization error the bound does not cover.
// IndexRerank uses it to skip candidates that cannot enter the top k.
//
// Thread-safety: const and callable concurrently. Returns false (bound untouched) when the codec has
// no bound; throws InvalidArgument for a label the index does not hold.
#pragma once

#include <faiss/Index.h>

namespace ipaq {

class ScoreBoundProvider {
 public:
  virtual ~ScoreBoundProvider() = default;
  // query: d floats; labels, estimate, bound: n entries (labels >= 0).
  virtual bool score_bounds(const float* query, faiss::Index::idx_t n, const faiss::Index::idx_t* labels,
                            float* estimate, float* bound) const = 0;
};

}  // namespace ipaq
