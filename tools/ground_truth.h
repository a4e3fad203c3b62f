// Exact k-nearest-neighbour ground truth for `ipaq eval`, computed with FAISS IndexFlat and cached.
//
// compute_ground_truth: brute force (faiss::IndexFlatL2 / IndexFlatIP, which uses BLAS), result
// nq x k ids, row i = the true top k of query i, best first.
// cached_ground_truth: the same, but first looks for a cache file keyed by the content (CRC-32 of the
// base and query bytes, their shapes, metric, k): next to the base file if that directory is writable
// (it needs a write permission bit, so read-only data directories are respected even by root, and it
// must not be under /usr, which the package manager owns), else in
// `cache_dir` (default $IPAQ_CACHE_DIR, else $XDG_CACHE_HOME/ipaq, else ~/.cache/ipaq). Cache files are
// written to a temporary name and renamed, so a reader never sees half a file. A failure to write the
// cache is not an error (`source` says why); a corrupt or mis-shaped cache file is recomputed.
// Errors: k <= 0 or k > n, dimension mismatch → InvalidArgument. Single caller thread (FAISS uses
// OpenMP/BLAS inside).
#pragma once

#include <faiss/MetricType.h>

#include <string>

#include "lib/io/vector_file.h"

namespace ipaq::cli {

io::IntMatrix compute_ground_truth(const io::FloatMatrix& base, const io::FloatMatrix& queries, int k,
                                   faiss::MetricType metric);

struct GroundTruthCache {
  std::string base_path;  // the base file (its directory is tried first)
  std::string cache_dir;  // fallback directory; empty = the default described above
};

// `source` receives where the result came from: "cache FILE", "computed (cached in FILE)" or
// "computed (not cached: REASON)".
io::IntMatrix cached_ground_truth(const io::FloatMatrix& base, const io::FloatMatrix& queries, int k,
                                  faiss::MetricType metric, const GroundTruthCache& cache,
                                  std::string* source);

}  // namespace ipaq::cli
