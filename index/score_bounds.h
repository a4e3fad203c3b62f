// ScoreBoundProvider: an optional interface of ipaq indexes whose codec exposes an error bound on its
// inner-product estimate (Codec::ip_error_bound, e.g. RaBitQ).
//
// For candidates returned by the index's own search (labels as returned), score_bounds() writes
// bound[i] such that |returned distance - exact distance| <= bound[i] with high probability, in the
// units of the index's metric (for METRIC_L2: 2 * the inner-product bound, since
// ||q - x||^2 = ||q||^2 + ||x||^2 - 2 <q, x>). Labels equal to -1 get bound = +inf.
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
  // query: d floats; labels, bound: n entries.
  virtual bool score_bounds(const float* query, faiss::Index::idx_t n, const faiss::Index::idx_t* labels,
                            float* bound) const = 0;
};

}  // namespace ipaq
