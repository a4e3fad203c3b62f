// Per-call search parameters of ipaq indexes (FAISS style: knobs travel with the call, never mutated
// on the index).
//
//  - IVF indexes (faiss::IndexIVF and ipaq::IndexCodecIVF) take faiss::SearchParametersIVF (nprobe,
//    id selector) unchanged.
//  - ipaq::IndexRerank takes SearchParametersRerank: the rerank factor for this call and the parameters
//    forwarded to the base index (e.g. a SearchParametersIVF carrying nprobe).
//
// Ownership: parameter structs never own what they point to; the pointees must outlive the call.
// Debian's FAISS 1.7.3 wrappers (IndexIDMap2, IndexRefine, IndexShards) throw when given any
// SearchParameters; ipaq's own wrappers (IndexRerank) forward them.
#pragma once

#include <faiss/Index.h>

namespace ipaq {

// Counters filled by IndexRerank::search when SearchParametersRerank::stats is set (summed over queries).
struct RerankStats {
  size_t candidates = 0;  // candidates returned by the base index
  size_t fetched = 0;     // of those, re-scored with exact vectors (the rest skipped by the bound)
};

struct SearchParametersRerank : faiss::SearchParameters {
  // k' = ceil(k * rerank_factor) candidates are taken from the base index; 0 = the index's default.
  // Must be 0 or >= 1.
  float rerank_factor = 0.0f;
  // Skip candidates whose estimate plus the codec's error bound cannot enter the top k (only for bases
  // that provide bounds, see index/score_bounds.h). Exact top-k of the candidates is returned either way
  // with high probability; false forces every candidate to be re-scored.
  bool use_error_bound = true;
  // With an in-memory vector source the bound is skipped unless this is set: there an exact distance is
  // one copy-free SIMD pass over the vector, cheaper than the bound itself (it re-prepares the query and
  // runs the codec's scalar estimator per candidate: measured 4-8x slower reranks on Fashion-MNIST /
  // bge-m3, bench/RESULTS.md issue 4). Sources with costly fetches (RocksDB) always use it.
  bool bound_with_in_memory_source = false;
  // Forwarded to the base index's search (not owned, may be null).
  const faiss::SearchParameters* base_params = nullptr;
  // Optional output (not owned): counters of this call.
  RerankStats* stats = nullptr;
};

}  // namespace ipaq
