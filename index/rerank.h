// Exact reranking stage: VectorSource (where exact float vectors come from) and IndexRerank (a
// faiss::Index that searches k' = ceil(k * factor) candidates on a base index's codes, re-scores them
// with exact vectors, and returns the exact top k).
//
// VectorSource: get(n, ids, out) writes n * dim() floats, row i = the exact vector of ids[i]. An
// in-memory implementation (InMemoryVectorSource, vectors stored in add order, id = position) lives
// here; the storage layer provides a RocksDB one. get() must be callable concurrently; it throws
// InvalidArgument for an id it does not hold.
//
// IndexRerank:
//  - Ownership: owns the base index (std::unique_ptr) and the vector source. add()/add_with_ids()
//    forward to the base and append the exact vectors to the source when it is appendable
//    (InMemoryVectorSource); with an external source (e.g. RocksDB) the caller keeps it in sync and
//    add() only forwards. Ids returned by the base are the ids given to the source.
//  - Metric: the base's metric; exact scores are <q, x> (METRIC_INNER_PRODUCT, larger first) or
//    ||q - x||^2 (METRIC_L2, smaller first), computed with lib/scan/exact_distance.h (float
//    accumulation in four SIMD accumulators; FAISS 1.7.3's fvec kernels that faiss::IndexRefineFlat uses
//    keep one, ~4x the latency at d = 1024); an in-memory source is read in place and its candidates'
//    first cache lines are prefetched.
//  - Error bound: when the base implements ScoreBoundProvider (index/score_bounds.h) and returns
//    bounds, candidates are visited best estimate first, and one whose optimistic score
//    (estimate +/- bound) cannot beat the current k-th exact score is not fetched (by default only for
//    sources that are not in memory, see SearchParametersRerank::bound_with_in_memory_source). The result is then
//    the exact top k of the candidates with the probability the codec's bound holds.
//  - Search parameters: SearchParametersRerank (index/search_params.h) per call; any other
//    SearchParameters is forwarded to the base unchanged.
//  - Errors: k <= 0, non-finite queries → InvalidArgument; factor < 1 → InvalidArgument.
//  - Thread-safety: search is const and parallel over queries (OpenMP, exceptions carried out).
#pragma once

#include <faiss/Index.h>

#include <memory>
#include <vector>

namespace ipaq {

class VectorSource {
 public:
  virtual ~VectorSource() = default;
  virtual size_t dim() const = 0;
  // ids: n ids; out: n * dim() floats.
  virtual void get(faiss::Index::idx_t n, const faiss::Index::idx_t* ids, float* out) const = 0;
};

// Vectors kept in memory in add order; the id of a vector is its position.
class InMemoryVectorSource : public VectorSource {
 public:
  explicit InMemoryVectorSource(size_t d);
  size_t dim() const override { return d_; }
  size_t size() const { return vectors_.size() / d_; }
  void get(faiss::Index::idx_t n, const faiss::Index::idx_t* ids, float* out) const override;
  // The stored vector of `id`, read in place; InvalidArgument for an id it does not hold.
  const float* vector(faiss::Index::idx_t id) const;
  // x: n * dim() floats appended with ids size() .. size() + n - 1.
  void append(size_t n, const float* x);
  void clear() { vectors_.clear(); }
  const std::vector<float>& data() const { return vectors_; }

 private:
  size_t d_;
  std::vector<float> vectors_;
};

class IndexRerank : public faiss::Index {
 public:
  // base: the candidate generator (owned). source: exact vectors; null = an owned
  // InMemoryVectorSource filled by add(). default_factor >= 1.
  IndexRerank(std::unique_ptr<faiss::Index> base, std::unique_ptr<VectorSource> source,
              float default_factor);

  void train(idx_t n, const float* x) override;
  void add(idx_t n, const float* x) override;
  void reset() override;
  // x: n * d, k >= 1, distances/labels: n * k (missing results: label -1).
  void search(idx_t n, const float* x, idx_t k, float* distances, idx_t* labels,
              const faiss::SearchParameters* params = nullptr) const override;
  void reconstruct(idx_t key, float* recons) const override;
  // Standalone codes are the base's (storage keeps them and rebuilds the base with add_sa_codes).
  size_t sa_code_size() const override { return base_->sa_code_size(); }
  void sa_encode(idx_t n, const float* x, uint8_t* bytes) const override { base_->sa_encode(n, x, bytes); }
  void sa_decode(idx_t n, const uint8_t* bytes, float* x) const override { base_->sa_decode(n, bytes, x); }

  const faiss::Index& base() const { return *base_; }
  faiss::Index& base() { return *base_; }
  const VectorSource& source() const { return *source_; }
  // Null when the source is external.
  InMemoryVectorSource* in_memory_source() { return in_memory_; }
  float default_factor() const { return default_factor_; }
  // Replaces the base (used by the index reader and by storage when rebuilding from codes).
  void set_base(std::unique_ptr<faiss::Index> base);
  // Replaces the vector source (e.g. storage attaches its RocksDB source after read_index).
  void set_source(std::unique_ptr<VectorSource> source);

 private:
  std::unique_ptr<faiss::Index> base_;
  std::unique_ptr<VectorSource> source_;
  InMemoryVectorSource* in_memory_ = nullptr;  // = source_.get() when the source is in memory
  float default_factor_;
};

}  // namespace ipaq
